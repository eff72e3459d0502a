import nodemailer from 'nodemailer';
import type { EmailJob } from '../notifications/service.ts';
import type { TConfig } from '../platform/config.ts';

export type SendMail = (job: EmailJob) => Promise<void>;

export function createMailer(config: TConfig): SendMail {
  if (!config.SMTP_HOST) throw new Error('SMTP_HOST is not set: the worker cannot send email');
  const transport = nodemailer.createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASS ?? '' } } : {}),
  });
  return async (job) => {
    await transport.sendMail({
      from: config.EMAIL_FROM,
      to: job.to,
      subject: job.subject,
      text: job.text,
    });
  };
}

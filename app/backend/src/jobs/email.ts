import nodemailer from 'nodemailer';
import type { EmailJob } from '../notifications/service.ts';
import type { Logger } from 'pino';
import type { TConfig } from '../platform/config.ts';

export type SendMail = (job: EmailJob) => Promise<void>;

/** Without SMTP_HOST, emails are logged and dropped (the in-app notification still exists). */
export function createMailer(config: TConfig, logger: Logger): SendMail {
  if (!config.SMTP_HOST) {
    logger.warn('SMTP_HOST is not set: notification emails will be dropped');
    return async (job) => {
      logger.info({ to: job.to, subject: job.subject }, 'email dropped (no SMTP_HOST)');
    };
  }
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

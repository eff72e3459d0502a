// Password reset by a single-use, expiring link: requested by the user ("forgot password",
// e-mailed) or created by an admin (e-mailed when possible, else shown to copy). Confirming sets
// the new password and ends every existing session of the user (session version bump plus
// refresh-token revocation, as a password change does).
import type { Redis } from 'ioredis';
import { claimToken } from '../invitations/model.ts';
import { describeTtl, queueEmail, type MailDeps } from '../invitations/mail.ts';
import { newOneTimeToken, resetUrl, sha256 } from '../invitations/tokens.ts';
import { AppError, conflict, notFound } from '../platform/errors.ts';
import { hitLimit } from '../platform/ratelimit.ts';
import { User, type TUserDoc } from '../users/model.ts';
import { PasswordReset } from './model.ts';
import { hashPassword } from './password.ts';
import { endAllSessions, type AuthSettings } from './service.ts';

/** Reset e-mails per account per hour: a stranger cannot flood someone's inbox. */
export const RESET_EMAILS_PER_HOUR = 3;

const ttlMs = (d: MailDeps) => d.config.PASSWORD_RESET_TTL_MINUTES * 60_000;

async function newLink(d: MailDeps, userId: string, requestedBy: string) {
  const token = newOneTimeToken();
  const expiresAt = new Date(Date.now() + ttlMs(d));
  await PasswordReset.create({ userId, tokenHash: sha256(token), expiresAt, requestedBy });
  return { url: resetUrl(d.config.FRONTEND_URL, token), expiresAt };
}

const mail = (d: MailDeps, to: string, url: string, intro: string) =>
  queueEmail(d, {
    to,
    subject: 'Reset your PMS password',
    text:
      `${intro}\n\nChoose a new password here:\n${url}\n\n` +
      `The link works once and expires in ${describeTtl(ttlMs(d))}. Setting a new password ` +
      `signs you out everywhere. If you did not ask for this, ignore this e-mail: your password ` +
      `stays as it is.\n`,
  });

/**
 * "Forgot password": e-mails a link when the address belongs to an active account. The caller
 * answers the same in every case (no account enumeration); this runs after the answer is sent,
 * so the response time does not tell either.
 */
export async function requestPasswordReset(
  d: MailDeps & { redis: Redis; prefix: string },
  email: string,
): Promise<void> {
  const u = await User.findOne({ email }).lean<TUserDoc>();
  if (!u || u.disabled) return;
  const budget = await hitLimit(
    d.redis,
    `${d.prefix}rl:reset-mail:${sha256(email)}`,
    RESET_EMAILS_PER_HOUR,
    3600_000,
  ).catch(() => ({ allowed: true }));
  if (!budget.allowed) {
    d.logger.info('password reset e-mail suppressed (hourly limit for this account)');
    return;
  }
  const { url } = await newLink(d, String(u._id), 'self');
  const sent = await mail(
    d,
    u.email,
    url,
    'Someone (hopefully you) asked to reset your PMS password.',
  );
  if (!sent) d.logger.warn('password reset requested but e-mail cannot be sent (SMTP_HOST unset)');
}

/** An admin's reset link for a user: e-mailed when possible, otherwise returned to copy. */
export async function adminResetLink(
  d: MailDeps,
  admin: { userId: string; name: string },
  userId: string,
): Promise<{ emailed: boolean; resetUrl?: string; expiresAt: Date }> {
  const u = await User.findById(userId).lean<TUserDoc>();
  if (!u) throw notFound('User');
  if (u.disabled) throw conflict('The user is disabled; enable them first');
  const { url, expiresAt } = await newLink(d, userId, admin.userId);
  const emailed = await mail(
    d,
    u.email,
    url,
    `${admin.name} sent you a link to set a new PMS password.`,
  );
  return emailed ? { emailed, expiresAt } : { emailed, resetUrl: url, expiresAt };
}

type ResetReason = 'used' | 'expired';
const gone = (reason: ResetReason) =>
  new AppError(
    'gone',
    reason === 'used'
      ? 'This reset link was already used. Ask for a new one if you still need it.'
      : 'This reset link has expired. Ask for a new one.',
    { extra: { reason } },
  );

async function usable(token: string) {
  const r = await PasswordReset.findOne({ tokenHash: sha256(token) }).lean();
  if (!r) throw notFound('Reset link');
  if (r.usedAt) throw gone('used');
  if (r.expiresAt.getTime() <= Date.now()) throw gone('expired');
  const u = await User.findById(r.userId).lean<TUserDoc>();
  if (!u || u.disabled) throw notFound('Reset link');
  return { r, u };
}

/** What the reset page shows before the new password is chosen. */
export async function checkResetToken(token: string) {
  const { r, u } = await usable(token);
  return { email: u.email, expiresAt: r.expiresAt };
}

export async function confirmPasswordReset(
  token: string,
  password: string,
  s: AuthSettings,
): Promise<{ email: string }> {
  const hash = sha256(token);
  const { r, u } = await usable(token);
  if (!(await claimToken('reset', hash, r.expiresAt))) throw gone('used');
  const now = new Date();
  await User.updateOne({ _id: u._id }, { $set: { passwordHash: await hashPassword(password) } });
  // Every other outstanding link of the user dies too: the one just used answered the request.
  await PasswordReset.updateMany({ userId: u._id, usedAt: null }, { $set: { usedAt: now } });
  await endAllSessions(String(u._id), s);
  return { email: u.email };
}

// Short-lived download tokens: a plain link (`<a href download>`) cannot carry the in-memory
// Bearer token, so the authorized `/download` call hands out a URL to `/content` carrying
// `token=<exp>.<hmac>`. The HMAC (SHA-256, keyed with JWT_SECRET) covers a purpose label, the
// project, the attachment id and the expiry, so a token opens exactly one attachment for ~60 s.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError, unauthorized } from '../platform/errors.ts';

export const DOWNLOAD_TOKEN_TTL = 60;

const mac = (secret: string, projectId: string, attachmentId: string, exp: number) =>
  createHmac('sha256', secret)
    .update(`pms-attachment-download\n${projectId}\n${attachmentId}\n${exp}`)
    .digest('base64url');

export function signDownloadToken(
  secret: string,
  projectId: string,
  attachmentId: string,
  ttl = DOWNLOAD_TOKEN_TTL,
  now = Date.now(),
): string {
  const exp = Math.floor(now / 1000) + ttl;
  return `${exp}.${mac(secret, projectId, attachmentId, exp)}`;
}

/** Throws 401 `unauthorized` for a malformed or forged token, 401 `token_expired` once expired. */
export function verifyDownloadToken(
  secret: string,
  projectId: string,
  attachmentId: string,
  token: string,
  now = Date.now(),
): void {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw unauthorized('Invalid download token');
  const exp = Number(m[1]);
  const given = Buffer.from(m[2] ?? '');
  const expected = Buffer.from(mac(secret, projectId, attachmentId, exp));
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw unauthorized('Invalid download token');
  if (exp <= Math.floor(now / 1000)) throw new AppError('token_expired', 'Download link expired');
}

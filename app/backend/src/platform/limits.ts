// Which budget a request is charged to. Sized from a measured web-app session (README, "Rate
// limits"): reads are generous (a board load is ~8 requests, an opened task ~6, polling one per
// 30 s), writes stricter, the credential endpoints strict and per client IP (they run before a
// user is known, and login is CPU-heavy). Pure: tested without a server.
import type { Request } from 'express';
import type { TConfig } from './config.ts';
import type { LimitPolicy } from './ratelimit.ts';

type LimitConfig = Pick<
  TConfig,
  'RATE_LIMIT_WINDOW' | 'RATE_LIMIT_MAX' | 'RATE_LIMIT_WRITE_MAX' | 'RATE_LIMIT_AUTH_MAX'
>;

// Also the public one-time-link endpoints (forgotten password, invitations): anonymous and
// guessable by brute force otherwise.
const AUTH_PATHS =
  /^\/auth\/(login|refresh|register|logout|password\/(forgot|reset|check)|invitations\/(lookup|accept))\/?$/;

export function limitPolicy(
  req: Pick<Request, 'method' | 'path' | 'ip'>,
  config: LimitConfig,
  userId: string | undefined,
): LimitPolicy {
  const windowMs = config.RATE_LIMIT_WINDOW;
  const ip = `ip:${req.ip ?? 'unknown'}`;
  const read = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
  if (!read && AUTH_PATHS.test(req.path))
    return { name: 'auth', subject: ip, max: config.RATE_LIMIT_AUTH_MAX, windowMs };
  const subject = userId ?? ip;
  return read
    ? { name: 'read', subject, max: config.RATE_LIMIT_MAX, windowMs }
    : { name: 'write', subject, max: config.RATE_LIMIT_WRITE_MAX, windowMs };
}

// Fixed-window rate limits in Redis (INCR + PEXPIRE in one MULTI), shared by every replica.
// Each request is charged to one budget chosen by a policy (per user or per IP, per class of
// route), and every answer carries the draft-ietf-httpapi-ratelimit-headers fields
// (RateLimit-Limit, -Remaining, -Reset, RateLimit-Policy). If Redis is unreachable the limiter
// fails open: availability over strictness (see README).
import type { RequestHandler, Request } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from './errors.ts';

export interface LimitResult {
  allowed: boolean;
  remaining: number;
  /** Seconds until the window resets (≥ 1). */
  resetSeconds: number;
}

export async function hitLimit(
  redis: Redis,
  key: string,
  max: number,
  windowMs: number,
  now = Date.now(),
): Promise<LimitResult> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const k = `${key}:${windowStart}`;
  const res = await redis.multi().incr(k).pexpire(k, windowMs).exec();
  const count = Number(res?.[0]?.[1] ?? 0);
  const resetSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
  return { allowed: count <= max, remaining: Math.max(0, max - count), resetSeconds };
}

/** The budget a request is charged to; null: not limited. */
export interface LimitPolicy {
  /** Budget name, e.g. `read`, `write`, `auth` (part of the Redis key and the policy header). */
  name: string;
  /** Who is charged: a user id or `ip:<address>`. */
  subject: string;
  max: number;
  windowMs: number;
}

export function rateLimit(opts: {
  redis: Redis;
  logger: Logger;
  /** This deployment's key namespace (REDIS_KEY_PREFIX). */
  prefix: string;
  policy: (req: Request) => LimitPolicy | null;
  /** Injectable clock (tests replay hours of use in seconds). */
  now?: () => number;
}): RequestHandler {
  return async (req, res, next) => {
    const p = opts.policy(req);
    if (!p) return next();
    let result: LimitResult;
    try {
      result = await hitLimit(
        opts.redis,
        `${opts.prefix}rl:${p.name}:${p.subject}`,
        p.max,
        p.windowMs,
        opts.now?.() ?? Date.now(),
      );
    } catch (err) {
      opts.logger.warn(
        { err: (err as Error).message, limiter: p.name },
        'rate limiter unavailable, allowing request',
      );
      return next();
    }
    res.setHeader('RateLimit-Policy', `${p.max};w=${Math.round(p.windowMs / 1000)}`);
    res.setHeader('RateLimit-Limit', String(p.max));
    res.setHeader('RateLimit-Remaining', String(result.remaining));
    res.setHeader('RateLimit-Reset', String(result.resetSeconds));
    if (!result.allowed) {
      return next(
        new AppError('rate_limited', `Too many requests (${p.name}), slow down`, {
          headers: { 'Retry-After': String(result.resetSeconds) },
        }),
      );
    }
    next();
  };
}

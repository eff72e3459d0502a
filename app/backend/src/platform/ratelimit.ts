// Fixed-window rate limits in Redis (INCR + PEXPIRE in one MULTI). Shared by every replica.
// If Redis is unreachable the limiter fails open: availability over strictness (see README).
import type { RequestHandler, Request } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from './errors.ts';

export interface LimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
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
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
  return { allowed: count <= max, remaining: Math.max(0, max - count), retryAfterSeconds };
}

export function rateLimit(opts: {
  redis: Redis;
  logger: Logger;
  name: string;
  /** This deployment's key namespace (REDIS_KEY_PREFIX). */
  prefix: string;
  max: () => number;
  windowMs: () => number;
  key: (req: Request) => string;
}): RequestHandler {
  return async (req, res, next) => {
    let result: LimitResult;
    try {
      result = await hitLimit(
        opts.redis,
        `${opts.prefix}rl:${opts.name}:${opts.key(req)}`,
        opts.max(),
        opts.windowMs(),
      );
    } catch (err) {
      opts.logger.warn(
        { err: (err as Error).message, limiter: opts.name },
        'rate limiter unavailable, allowing request',
      );
      return next();
    }
    res.setHeader('RateLimit-Limit', String(opts.max()));
    res.setHeader('RateLimit-Remaining', String(result.remaining));
    if (!result.allowed) {
      return next(
        new AppError('rate_limited', 'Too many requests, slow down', {
          headers: { 'Retry-After': String(result.retryAfterSeconds) },
        }),
      );
    }
    next();
  };
}

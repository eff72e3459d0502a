// Readiness: each dependency checked with a timeout. MongoDB and S3 are required; Redis only
// degrades the service (no cache, no rate limits, no queued emails).
import type { Redis } from 'ioredis';
import { pingMongo } from './db.ts';
import type { Storage } from './s3.ts';

export interface Check {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export async function timed(
  fn: (signal: AbortSignal) => Promise<unknown>,
  timeoutMs: number,
): Promise<Check> {
  const start = Date.now();
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(ac.signal),
      new Promise((_, rej) => {
        timer = setTimeout(() => {
          ac.abort();
          rej(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: Date.now() - start };
  } catch (err) {
    return { status: 'down', latencyMs: Date.now() - start, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(redis: Redis, storage: Storage, timeoutMs = 2000) {
  const [mongodb, redisCheck, s3] = await Promise.all([
    timed(() => pingMongo(), timeoutMs),
    timed(async () => {
      if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
      await redis.ping();
    }, timeoutMs),
    timed((signal) => storage.ping(signal), timeoutMs),
  ]);
  const checks = { mongodb, redis: redisCheck, s3 };
  const status =
    mongodb.status === 'down' || s3.status === 'down'
      ? 'unready'
      : redisCheck.status === 'down'
        ? 'degraded'
        : 'ready';
  return { status, checks } as const;
}

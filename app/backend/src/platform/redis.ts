// ioredis set up to fail fast: with Redis down, commands reject at once (no offline queue) so
// callers (cache, rate limiter, queue) can degrade instead of hanging.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TConfig } from './config.ts';

export function createRedis(config: TConfig, logger: Logger): Redis {
  const redis = new Redis(config.REDIS_URL, {
    db: config.REDIS_DB,
    ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) logger.warn({ err: err.message }, 'redis error');
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
    logger.info('redis ready');
  });
  return redis;
}

export const redisUp = (redis: Redis): boolean => redis.status === 'ready';

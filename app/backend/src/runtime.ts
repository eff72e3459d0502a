// Connects the API's dependencies (shared by main.ts, the seed script and integration tests).
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import type { Deps } from './deps.ts';
import { createEventBus } from './events/bus.ts';
import { createCache, noCache } from './platform/cache.ts';
import type { TConfig } from './platform/config.ts';
import { checkDatabaseOnStart } from './migrations/startup.ts';
import { connectMongo } from './platform/db.ts';
import { createRedis } from './platform/redis.ts';
import { createStorage } from './platform/s3.ts';
import { createAccessCache } from './projects/access-cache.ts';
import type { Grant } from './projects/access.ts';
import { bootstrapAdmin } from './users/service.ts';
// Register every model so syncIndexes sees them.
import './activity/model.ts';
import './attachments/model.ts';
import './auth/model.ts';
import './comments/model.ts';
import './invitations/model.ts';
import './notifications/model.ts';
import './projects/model.ts';
import './search/model.ts';
import './tasks/model.ts';
import './tokens/model.ts';
import './users/model.ts';
import './webhooks/model.ts';
import './views/model.ts';

export const QUEUE_NAME = 'jobs';

export function queueConnection(config: TConfig): Redis {
  return new Redis(config.REDIS_URL, {
    db: config.REDIS_DB,
    ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}),
    maxRetriesPerRequest: null,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
}

export async function startRuntime(
  config: TConfig,
  logger: Logger,
): Promise<Deps & { close(): Promise<void> }> {
  await connectMongo(config);
  // Refuses a newer database; MIGRATIONS_ON_START decides about pending migrations (and indexes).
  await checkDatabaseOnStart(config, logger);
  const redis = createRedis(config, logger);
  const storage = createStorage(config);
  await storage.ensureBucket();
  const admin = await bootstrapAdmin({
    email: config.ADMIN_EMAIL,
    password: config.ADMIN_PASSWORD,
    name: config.ADMIN_NAME,
  });
  if (admin) logger.info({ email: admin.email }, 'created the first administrator');
  let queue: Queue | null = null;
  let queueRedis: Redis | null = null;
  if (config.ENABLE_NOTIFICATIONS) {
    queueRedis = queueConnection(config);
    queueRedis.on('error', () => undefined); // reported by the main client
    queue = new Queue(QUEUE_NAME, { connection: queueRedis, prefix: config.QUEUE_PREFIX });
    queue.on('error', () => undefined);
  }
  const cache = config.CACHE_ENABLED
    ? createCache(redis, config.CACHE_TTL, logger, config.REDIS_KEY_PREFIX)
    : noCache;
  const accessCache = createAccessCache<Grant>({ ttlMs: config.AUTH_CACHE_TTL * 1000 });
  // Versions read after a reconnect may have been lost with Redis: start from nothing.
  redis.on('ready', () => accessCache.clear());
  return {
    config,
    logger,
    redis,
    storage,
    cache,
    accessCache,
    queue,
    events: createEventBus({ redis, prefix: config.REDIS_KEY_PREFIX, logger }),
    async close() {
      await queue?.close().catch(() => undefined);
      queueRedis?.disconnect();
      redis.disconnect();
      storage.client.destroy();
      await mongoose.disconnect();
    },
  };
}

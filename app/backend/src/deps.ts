// What buildApp needs, created by main.ts (or a test) and passed in.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventBus } from './events/bus.ts';
import type { Cache } from './platform/cache.ts';
import type { AccessCache } from './projects/access-cache.ts';
import type { Grant } from './projects/access.ts';
import type { TConfig } from './platform/config.ts';
import type { Storage } from './platform/s3.ts';

export interface Deps {
  config: TConfig;
  logger: Logger;
  redis: Redis;
  storage: Storage;
  cache: Cache;
  /** Resolved project access of recent callers, valid while the project's cache version holds. */
  accessCache: AccessCache<Grant>;
  /** Notification/email jobs; null when notifications are disabled. */
  queue: Queue | null;
  /** Project events (live boards, webhooks), published after each recorded change. */
  events: EventBus;
  /** Clock of the rate limiter (ms since epoch); tests replay long sessions with it. */
  clock?: () => number;
}

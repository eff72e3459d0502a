// Read-through cache in Redis with namespace versions: every write to a project bumps its
// version (INCR), so all cached reads of that project become unreachable at once and expire
// after CACHE_TTL. Redis failures never fail a request: reads fall through to MongoDB, and a
// bump that could not be written is retried when Redis comes back.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface Cache {
  wrap<T>(ns: string, key: string, load: () => Promise<T>): Promise<T>;
  bump(ns: string): Promise<void>;
}

/** No caching: reads always load, bumps do nothing (CACHE_ENABLED=false). */
export const noCache: Cache = {
  wrap: (_ns, _key, load) => load(),
  bump: async () => undefined,
};

export function createCache(redis: Redis, ttlSeconds: number, logger: Logger, prefix = ''): Cache {
  const pending = new Set<string>();
  const ready = () => redis.status === 'ready';
  redis.on('ready', () => {
    for (const ns of [...pending]) {
      redis.incr(`${prefix}cv:${ns}`).then(
        () => pending.delete(ns),
        () => undefined,
      );
    }
  });
  return {
    async wrap(ns, key, load) {
      if (!ready() || pending.has(ns)) return load();
      let full: string;
      try {
        const ver = (await redis.get(`${prefix}cv:${ns}`)) ?? '0';
        full = `${prefix}c:${ns}:${ver}:${key}`;
        const hit = await redis.get(full);
        if (hit !== null) return JSON.parse(hit) as Awaited<ReturnType<typeof load>>;
      } catch (err) {
        logger.debug({ err: (err as Error).message }, 'cache read failed');
        return load();
      }
      const value = await load();
      redis.set(full, JSON.stringify(value), 'EX', ttlSeconds).catch(() => undefined);
      return value;
    },
    async bump(ns) {
      try {
        await redis.incr(`${prefix}cv:${ns}`);
      } catch {
        pending.add(ns);
      }
    },
  };
}

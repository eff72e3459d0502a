// Read-through cache in Redis with namespace versions: every write to a project bumps its
// version (INCR), so all cached reads of that project become unreachable at once and expire
// after CACHE_TTL. Redis failures never fail a request: reads fall through to MongoDB, and a
// bump that could not be written is retried when Redis comes back.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { JsonText } from './json-text.ts';

export interface Cache {
  /**
   * The JSON text of `load()`'s value, from the cache when present. Text, not a value: a hit is
   * sent as it is stored (no parse and re-serialise of a board of hundreds of tasks).
   * `version`: the namespace's version as `version(ns)` returned it a moment ago (saves reading
   * it again; null loads without the cache); omitted, it is read here.
   */
  json(
    ns: string,
    key: string,
    load: () => Promise<unknown>,
    version?: string | null,
  ): Promise<JsonText>;
  /**
   * The namespace's current version, or null when the cache cannot vouch for it right now
   * (caching disabled, Redis unreachable, or a bump of this namespace still to be retried).
   */
  version(ns: string): Promise<string | null>;
  bump(ns: string): Promise<void>;
}

/** No caching: reads always load, bumps do nothing (CACHE_ENABLED=false). */
export const noCache: Cache = {
  json: async (_ns, _key, load) => JsonText.of(await load()),
  version: async () => null,
  bump: async () => undefined,
};

/**
 * The weak ETag of a cached entry: its key names the namespace version, so the same key always
 * holds the same data (a write bumps the version and with it every key).
 */
const etagOf = (fullKey: string) => `W/"${createHash('sha1').update(fullKey).digest('base64url')}"`;

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
  const version = async (ns: string) => {
    if (!ready() || pending.has(ns)) return null;
    try {
      return (await redis.get(`${prefix}cv:${ns}`)) ?? '0';
    } catch (err) {
      logger.debug({ err: (err as Error).message }, 'cache version read failed');
      return null;
    }
  };
  return {
    version,
    async json(ns, key, load, known) {
      const ver = known === undefined ? await version(ns) : known;
      if (ver === null || !ready() || pending.has(ns)) return JsonText.of(await load());
      const full = `${prefix}c:${ns}:${ver}:${key}`;
      try {
        const hit = await redis.getBuffer(full);
        if (hit !== null) return new JsonText(hit, etagOf(full));
      } catch (err) {
        logger.debug({ err: (err as Error).message }, 'cache read failed');
        return JsonText.of(await load());
      }
      const value = JsonText.of(await load(), etagOf(full));
      redis.set(full, value.bytes, 'EX', ttlSeconds).catch(() => undefined);
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

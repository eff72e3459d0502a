// The per-user limit on open live streams, counted over every replica: a Redis sorted set per
// user (member = stream id, score = when the slot lapses). Open streams refresh their score with
// each heartbeat, so a replica that dies without closing its streams frees their slots within
// three heartbeats. With Redis unreachable the count falls back to this process only (fail open
// across replicas, like the rate limiter: availability over strictness), and live delivery is
// down anyway.
import type { Redis } from 'ioredis';

// Atomic "drop lapsed slots, refuse when full, else take one".
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

export interface StreamSlots {
  /** Takes a slot for the stream; false when the user already holds `limit` open streams. */
  acquire(userId: string, streamId: string): Promise<boolean>;
  /** Keeps the slot alive (called with each heartbeat). */
  refresh(userId: string, streamId: string): Promise<void>;
  release(userId: string, streamId: string): Promise<void>;
}

export function createStreamSlots(opts: {
  redis: Redis;
  prefix: string;
  limit: number;
  /** How long a slot lives without a refresh. */
  leaseMs: number;
  now?: () => number;
}): StreamSlots {
  const now = opts.now ?? Date.now;
  const key = (userId: string) => `${opts.prefix}live:streams:${userId}`;
  const local = new Map<string, Set<string>>();
  const localOf = (userId: string) => {
    let s = local.get(userId);
    if (!s) local.set(userId, (s = new Set()));
    return s;
  };
  return {
    async acquire(userId, streamId) {
      const mine = localOf(userId);
      if (mine.size >= opts.limit) return false;
      const t = now();
      const ok = await opts.redis
        .eval(ACQUIRE, 1, key(userId), t, t + opts.leaseMs, opts.limit, streamId, opts.leaseMs * 2)
        .then((r) => r === 1)
        .catch(() => true); // Redis down: only the local count applies
      if (ok) mine.add(streamId);
      return ok;
    },
    async refresh(userId, streamId) {
      await opts.redis
        .zadd(key(userId), 'XX', now() + opts.leaseMs, streamId)
        .then(() => opts.redis.pexpire(key(userId), opts.leaseMs * 2))
        .catch(() => undefined);
    },
    async release(userId, streamId) {
      const mine = local.get(userId);
      mine?.delete(streamId);
      if (mine?.size === 0) local.delete(userId);
      await opts.redis.zrem(key(userId), streamId).catch(() => undefined);
    },
  };
}

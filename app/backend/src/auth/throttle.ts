// Login throttling: failed attempts are counted per account (the submitted email, whether or
// not it exists, so the answer reveals nothing) and per client IP. Successful logins are not
// counted, so colleagues signing in behind one office NAT never lock each other out.
//
// Once a counter reaches its budget, every further failure locks that account (or IP) for an
// exponentially growing delay: base, 2×base, 4×base … capped at `maxLockMs`. While locked,
// attempts answer 429 with Retry-After before the password is even hashed (no CPU spent). A
// successful login clears the account's counter and lock; counters expire `counterTtlMs` after
// the last failure. Redis down: throttling fails open, like the other limiters.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface ThrottleSettings {
  /** Failures per account before locking starts. */
  accountFailures: number;
  /** Failures per client IP before locking starts. */
  ipFailures: number;
  baseLockMs: number;
  maxLockMs: number;
  counterTtlMs: number;
}

/** Lock length after `failures` failures with a budget of `budget` (0 = not locked). Pure. */
export function lockDelayMs(
  failures: number,
  budget: number,
  baseMs: number,
  maxMs: number,
): number {
  if (failures < budget) return 0;
  const exp = Math.min(failures - budget, 40);
  return Math.min(maxMs, baseMs * 2 ** exp);
}

export interface LoginThrottle {
  /** Milliseconds until an attempt is allowed (0: allowed now). */
  wait(email: string, ip: string): Promise<number>;
  failed(email: string, ip: string): Promise<void>;
  succeeded(email: string): Promise<void>;
}

export function createLoginThrottle(opts: {
  redis: Redis;
  prefix: string;
  logger: Logger;
  settings: () => ThrottleSettings;
}): LoginThrottle {
  const { redis, logger } = opts;
  const k = (kind: 'n' | 'lock', scope: 'acct' | 'ip', id: string) =>
    `${opts.prefix}lt:${kind}:${scope}:${id}`;
  const failOpen = (what: string) => (err: unknown) => {
    logger.warn({ err: (err as Error).message }, `login throttle ${what} failed, allowing`);
  };
  const up = () => redis.status === 'ready';

  return {
    async wait(email, ip) {
      if (!up()) return 0;
      try {
        const m = await redis
          .multi()
          .pttl(k('lock', 'acct', email))
          .pttl(k('lock', 'ip', ip))
          .exec();
        const ttls = (m ?? []).map(([, v]) => Number(v));
        return Math.max(0, ...ttls);
      } catch (err) {
        failOpen('read')(err);
        return 0;
      }
    },
    async failed(email, ip) {
      if (!up()) return;
      const s = opts.settings();
      try {
        const m = await redis
          .multi()
          .incr(k('n', 'acct', email))
          .pexpire(k('n', 'acct', email), s.counterTtlMs)
          .incr(k('n', 'ip', ip))
          .pexpire(k('n', 'ip', ip), s.counterTtlMs)
          .exec();
        const acct = Number(m?.[0]?.[1] ?? 0);
        const byIp = Number(m?.[2]?.[1] ?? 0);
        const locks = redis.multi();
        const acctLock = lockDelayMs(acct, s.accountFailures, s.baseLockMs, s.maxLockMs);
        const ipLock = lockDelayMs(byIp, s.ipFailures, s.baseLockMs, s.maxLockMs);
        if (acctLock > 0) locks.set(k('lock', 'acct', email), '1', 'PX', acctLock);
        if (ipLock > 0) locks.set(k('lock', 'ip', ip), '1', 'PX', ipLock);
        if (acctLock > 0 || ipLock > 0) await locks.exec();
      } catch (err) {
        failOpen('write')(err);
      }
    },
    async succeeded(email) {
      if (!up()) return;
      await redis
        .del(k('n', 'acct', email), k('lock', 'acct', email))
        .then(() => undefined, failOpen('reset'));
    },
  };
}

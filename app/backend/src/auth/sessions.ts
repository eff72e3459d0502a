// Live session checks for every authenticated request. An access token is a signed snapshot
// (user id, session version `sv`, session family `sid`); what it grants can change before it
// expires (disable, role change, password change, logout). So every request compares the token
// with the user's current state and its family's status, read through a short Redis cache:
//
// - user state `us:<id>` = {sv, role, disabled, name, email}, cached AUTH_CACHE_TTL seconds.
//   Every change that must end access bumps `users.sessionVersion` in MongoDB first and then
//   writes the new state into the cache. Cache writes go through a compare script that never
//   replaces a higher `sv` with a lower one, so a request that read the old state just before a
//   bump cannot put it back. A token whose `sv` is above the cached one means the cache is
//   behind: it is reloaded from MongoDB.
// - family status `sf:<familyId>` = "1" (active) or "0" (revoked). Logout and reuse detection
//   write "0" unconditionally; loads write "1" only with NX, so a stale "active" cannot
//   overwrite a revocation.
//
// Redis down: the state is read from MongoDB on every request (correct, slower). A failed cache
// write after a bump leaves the old entry for at most AUTH_CACHE_TTL seconds.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { User } from '../users/model.ts';
import { RefreshToken } from './model.ts';

export interface UserState {
  sv: number;
  role: 'admin' | 'member';
  disabled: boolean;
  name: string;
  email: string;
}

export interface SessionStore {
  /** Current state of a user (null: no such user). `minSv`: reload if the cache is older. */
  user(userId: string, minSv: number): Promise<UserState | null>;
  /** Whether the refresh-token family (one login) was ended. */
  familyRevoked(familyId: string): Promise<boolean>;
  /** After a bump in MongoDB: publish the user's new state to every replica. */
  publishUser(userId: string): Promise<void>;
  /** After revoking families in MongoDB. */
  publishFamiliesRevoked(familyIds: string[]): Promise<void>;
}

// Sets KEYS[1] = ARGV[1] (EX ARGV[3]) unless the cached value has a higher sv than ARGV[2].
const SET_IF_NOT_OLDER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, obj = pcall(cjson.decode, cur)
  if ok and type(obj) == 'table' and tonumber(obj.sv) and tonumber(obj.sv) > tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
return 1`;

export async function loadUserState(userId: string): Promise<UserState | null> {
  const u = await User.findById(userId, {
    sessionVersion: 1,
    role: 1,
    disabled: 1,
    name: 1,
    email: 1,
  }).lean();
  if (!u) return null;
  return {
    sv: Number(u.sessionVersion ?? 0),
    role: u.role === 'admin' ? 'admin' : 'member',
    disabled: Boolean(u.disabled),
    name: u.name,
    email: u.email,
  };
}

async function loadFamilyRevoked(familyId: string): Promise<boolean> {
  // Revocation marks every token of the family; rotation only marks them used.
  return (await RefreshToken.exists({ familyId, revokedAt: { $ne: null } })) !== null;
}

export function createSessionStore(opts: {
  redis: Redis;
  prefix: string;
  ttlSeconds: number;
  logger: Logger;
}): SessionStore {
  const { redis, prefix, ttlSeconds, logger } = opts;
  const up = () => redis.status === 'ready';
  const userKey = (id: string) => `${prefix}us:${id}`;
  const famKey = (id: string) => `${prefix}sf:${id}`;
  const quiet = (what: string) => (err: unknown) => {
    logger.debug({ err: (err as Error).message }, `session cache ${what} failed`);
    return null;
  };

  const writeUser = async (userId: string, state: UserState) => {
    if (!up()) return;
    await redis
      .eval(SET_IF_NOT_OLDER, 1, userKey(userId), JSON.stringify(state), state.sv, ttlSeconds)
      .catch(quiet('write'));
  };

  return {
    async user(userId, minSv) {
      if (up()) {
        const hit = await redis.get(userKey(userId)).catch(quiet('read'));
        if (hit) {
          const cached = JSON.parse(hit) as UserState;
          if (cached.sv >= minSv) return cached;
        }
      }
      const state = await loadUserState(userId);
      if (state) await writeUser(userId, state);
      return state;
    },
    async familyRevoked(familyId) {
      if (up()) {
        const hit = await redis.get(famKey(familyId)).catch(quiet('read'));
        if (hit === '0') return true;
        if (hit === '1') return false;
      }
      const revoked = await loadFamilyRevoked(familyId);
      if (up())
        await (
          revoked
            ? redis.set(famKey(familyId), '0', 'EX', ttlSeconds)
            : redis.set(famKey(familyId), '1', 'EX', ttlSeconds, 'NX')
        ).catch(quiet('write'));
      return revoked;
    },
    async publishUser(userId) {
      const state = await loadUserState(userId);
      if (!state) {
        if (up()) await redis.del(userKey(userId)).catch(quiet('delete'));
        return;
      }
      await writeUser(userId, state);
    },
    async publishFamiliesRevoked(familyIds) {
      if (!up() || familyIds.length === 0) return;
      const m = redis.multi();
      for (const id of familyIds) m.set(famKey(id), '0', 'EX', ttlSeconds);
      await m.exec().catch(quiet('write'));
    },
  };
}

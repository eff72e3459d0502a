// The migration lock: one document `{ _id: 'migrate' }` in `migrationlocks`, taken by inserting
// it. A unique `_id` insert is the one write FerretDB v1 makes atomic (no transactions; an
// update reads, changes and writes back without isolation, see tasks/model.ts), so two
// migrators can never both insert it. The holder renews `expiresAt` while it runs; a holder
// that died leaves a lock that expires, and the next migrator deletes exactly that expired
// document (filter on its owner and expiry) and inserts its own.
//
// What remains: FerretDB's delete is also read-then-write, so two migrators that both saw the
// same expired lock could, in a narrow window, have the second delete the first's fresh lock.
// The holder checks before recording each migration that the lock is still its own (`held`),
// and migrations are idempotent, so the worst case is a migration run twice, never a wrong
// record.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { TDb } from './types.ts';
import { isDuplicateKey } from '../platform/errors.ts';

export const LOCK_COLLECTION = 'migrationlocks';
const LOCK_ID = 'migrate';

interface LockDoc {
  _id: string;
  owner: string;
  host: string;
  appVersion: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export interface LockOptions {
  /** How long a lock lives without renewal (a crashed holder blocks others this long). */
  ttlMs: number;
  /** How long to wait for another migrator to finish before giving up. */
  waitMs: number;
  /** Poll interval while waiting. */
  pollMs: number;
}

export const DEFAULT_LOCK: LockOptions = { ttlMs: 60_000, waitMs: 10 * 60_000, pollMs: 500 };

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

export interface HeldLock {
  owner: string;
  /** False once a renewal found the document gone or someone else's. */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

async function tryAcquire(
  db: TDb,
  doc: LockDoc,
  now: Date,
): Promise<{ ok: true } | { ok: false; holder: LockDoc | null }> {
  const locks = db.collection<LockDoc>(LOCK_COLLECTION);
  try {
    await locks.insertOne(doc);
    return { ok: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const holder = await locks.findOne({ _id: LOCK_ID });
  if (holder && holder.expiresAt.getTime() <= now.getTime()) {
    // Expired: remove exactly that document (not a newer one), then race for the insert again.
    await locks.deleteOne({ _id: LOCK_ID, owner: holder.owner, expiresAt: holder.expiresAt });
    return { ok: false, holder: null };
  }
  return { ok: false, holder };
}

/** Takes the lock, waiting up to `waitMs` for a live holder to release it or expire. */
export async function acquireLock(
  db: TDb,
  appVersion: string,
  opts: LockOptions = DEFAULT_LOCK,
  onWait?: (holder: { owner: string; host: string; appVersion: string }) => void,
): Promise<HeldLock> {
  const owner = randomUUID();
  const locks = db.collection<LockDoc>(LOCK_COLLECTION);
  const deadline = Date.now() + opts.waitMs;
  let told = false;
  for (;;) {
    const now = new Date();
    const r = await tryAcquire(
      db,
      {
        _id: LOCK_ID,
        owner,
        host: hostname(),
        appVersion,
        acquiredAt: now,
        expiresAt: new Date(now.getTime() + opts.ttlMs),
      },
      now,
    );
    if (r.ok) break;
    if (r.holder && !told) {
      told = true;
      onWait?.(r.holder);
    }
    if (Date.now() >= deadline) {
      const h = r.holder;
      throw new LockTimeoutError(
        `another migrator holds the lock${h ? ` (${h.host}, version ${h.appVersion}, until ${h.expiresAt.toISOString()})` : ''}; gave up after ${Math.round(opts.waitMs / 1000)} s`,
      );
    }
    if (r.holder) await new Promise((res) => setTimeout(res, opts.pollMs));
  }

  let lost = false;
  const renew = async () => {
    const r = await locks.updateOne(
      { _id: LOCK_ID, owner },
      { $set: { expiresAt: new Date(Date.now() + opts.ttlMs) } },
    );
    if (r.matchedCount === 0) lost = true;
  };
  // Renewed three times per TTL; a failed renewal is retried at the next tick and the lock only
  // counts as lost when the document is gone or someone else's.
  const timer = setInterval(() => void renew().catch(() => undefined), opts.ttlMs / 3);
  timer.unref();
  return {
    owner,
    async held() {
      if (lost) return false;
      const doc = await locks.findOne({ _id: LOCK_ID });
      lost = doc?.owner !== owner;
      if (!lost) await renew();
      return !lost;
    },
    async release() {
      clearInterval(timer);
      await locks.deleteOne({ _id: LOCK_ID, owner });
    },
  };
}

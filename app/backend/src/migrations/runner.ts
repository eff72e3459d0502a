// Runs the pending migrations under the lock and records each one in `migrations`
// ({ _id: id, description, appVersion, appliedAt, durationMs }) right after its `up` returned.
// The record is the applied set: a migration that throws is not recorded, the ones before it
// stay recorded, the lock is released, and the next run starts again at the failed one.
import { acquireLock, DEFAULT_LOCK, type LockOptions } from './lock.ts';
import { checkMigrationList, planMigrations } from './plan.ts';
import type { Migration, MigrationLog, TDb } from './types.ts';
import { isDuplicateKey } from '../platform/errors.ts';

export const RECORD_COLLECTION = 'migrations';

export interface MigrationRecord {
  _id: string;
  description: string;
  appVersion: string;
  appliedAt: Date;
  durationMs: number;
}

/** The database was migrated by a release this binary does not know: it must not touch it. */
export class DatabaseNewerError extends Error {
  override name = 'DatabaseNewerError';
  readonly unknown: string[];
  constructor(unknown: string[], appVersion: string) {
    super(
      `database is newer than this version (${appVersion}): it has applied migrations this binary does not know: ${unknown.join(', ')}; refusing`,
    );
    this.unknown = unknown;
  }
}

export class MigrationFailedError extends Error {
  override name = 'MigrationFailedError';
  readonly id: string;
  readonly applied: string[];
  constructor(id: string, applied: string[], cause: unknown) {
    super(
      `migration ${id} failed: ${cause instanceof Error ? cause.message : String(cause)}` +
        (applied.length > 0 ? ` (applied before it: ${applied.join(', ')})` : ''),
      { cause },
    );
    this.id = id;
    this.applied = applied;
  }
}

export class LockLostError extends Error {
  override name = 'LockLostError';
}

export async function readApplied(db: TDb): Promise<MigrationRecord[]> {
  return db.collection<MigrationRecord>(RECORD_COLLECTION).find({}).sort({ _id: 1 }).toArray();
}

export interface MigrateOptions {
  migrations: readonly Migration[];
  appVersion: string;
  log: MigrationLog;
  dryRun?: boolean;
  lock?: LockOptions;
  /** Runs under the lock after the migrations (index creation), also when none was pending. */
  after?: () => Promise<void>;
}

export interface MigrateResult {
  /** Pending before this run (dry run: what would run). */
  pending: string[];
  /** Applied by this run. */
  ran: string[];
}

async function plan(db: TDb, o: MigrateOptions) {
  const p = planMigrations(
    o.migrations,
    (await readApplied(db)).map((r) => r._id),
  );
  if (p.unknown.length > 0) throw new DatabaseNewerError(p.unknown, o.appVersion);
  return p;
}

export async function migrate(db: TDb, o: MigrateOptions): Promise<MigrateResult> {
  checkMigrationList(o.migrations);
  // Refused before the lock: a newer database is not ours to lock either.
  const before = await plan(db, o);
  if (o.dryRun) return { pending: before.pending.map((m) => m.id), ran: [] };
  const lock = await acquireLock(db, o.appVersion, o.lock ?? DEFAULT_LOCK, (h) =>
    o.log.info(h, 'waiting for another migrator'),
  );
  const ran: string[] = [];
  try {
    // Again under the lock: the migrator we waited for may have applied them, or a newer one.
    const p = await plan(db, o);
    for (const m of p.pending) {
      const started = Date.now();
      o.log.info({ id: m.id, description: m.description }, 'migration started');
      try {
        await m.up({ db, log: o.log });
      } catch (err) {
        throw new MigrationFailedError(m.id, ran, err);
      }
      if (!(await lock.held()))
        throw new LockLostError(
          `lost the migration lock while running ${m.id} (it expired and another migrator took it); ${m.id} is not recorded and runs again next time`,
        );
      const record: MigrationRecord = {
        _id: m.id,
        description: m.description,
        appVersion: o.appVersion,
        appliedAt: new Date(),
        durationMs: Date.now() - started,
      };
      try {
        await db.collection<MigrationRecord>(RECORD_COLLECTION).insertOne(record);
      } catch (err) {
        // Recorded already: only possible after a lock take-over; the migration is idempotent.
        if (!isDuplicateKey(err)) throw err;
      }
      ran.push(m.id);
      o.log.info({ id: m.id, durationMs: record.durationMs }, 'migration applied');
    }
    await o.after?.();
    return { pending: before.pending.map((m) => m.id), ran };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

// What the API and the worker do about migrations when they start (MIGRATIONS_ON_START):
//   auto     run what is pending under the lock (waiting for a running migrator), then sync
//            indexes: compose, development, tests and the operator's first install.
//   require  start only when nothing is pending (the migrate command or the operator's
//            migration Job ran first); never writes.
//   off      no check at all (an escape hatch, e.g. to read a database by hand): logged.
// In every mode but `off`, a database that recorded migrations this binary does not know is
// newer than it: the process refuses to start (DatabaseNewerError) instead of serving data it
// does not understand.
import mongoose from 'mongoose';
import type { TConfig } from '../platform/config.ts';
import { syncIndexes } from '../platform/db.ts';
import { MIGRATIONS } from './list.ts';
import { planMigrations } from './plan.ts';
import { DatabaseNewerError, migrate, readApplied } from './runner.ts';
import type { Migration, MigrationLog, TDb } from './types.ts';
import { APP_VERSION } from './version.ts';

export const MIGRATIONS_ON_START_MODES = ['auto', 'require', 'off'] as const;
export type TMigrationsOnStart = (typeof MIGRATIONS_ON_START_MODES)[number];

export class MigrationsPendingError extends Error {
  override name = 'MigrationsPendingError';
}

export interface StartOptions {
  migrations?: readonly Migration[];
  appVersion?: string;
  /** Index creation, run after the migrations in `auto`. */
  syncIndexes?: () => Promise<void>;
}

export async function migrationsOnStart(
  mode: TMigrationsOnStart,
  db: TDb,
  log: MigrationLog,
  o: StartOptions = {},
): Promise<void> {
  const migrations = o.migrations ?? MIGRATIONS;
  const appVersion = o.appVersion ?? APP_VERSION;
  if (mode === 'off') {
    log.warn({}, 'MIGRATIONS_ON_START=off: the database schema is not checked');
    return;
  }
  const p = planMigrations(
    migrations,
    (await readApplied(db)).map((r) => r._id),
  );
  if (p.unknown.length > 0) throw new DatabaseNewerError(p.unknown, appVersion);
  if (mode === 'require') {
    if (p.pending.length > 0)
      throw new MigrationsPendingError(
        `migrations pending: ${p.pending.map((m) => m.id).join(', ')}; MIGRATIONS_ON_START=require: run \`migrate\` first (the operator runs it as a Job before it rolls out a version), or set MIGRATIONS_ON_START=auto`,
      );
    return;
  }
  const r = await migrate(db, {
    migrations,
    appVersion,
    log,
    ...(o.syncIndexes ? { after: o.syncIndexes } : {}),
  });
  if (r.ran.length > 0) log.info({ ran: r.ran }, 'migrations applied at start-up');
}

/**
 * The start-up check of the API (runtime.ts) and the worker (worker.ts) on the mongoose
 * connection: refuses a newer database, then applies MIGRATIONS_ON_START. Throws to stop the
 * process; the caller logs the error and exits 1.
 */
export async function checkDatabaseOnStart(
  config: Pick<TConfig, 'MIGRATIONS_ON_START'>,
  log: MigrationLog,
): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('checkDatabaseOnStart: MongoDB is not connected');
  await migrationsOnStart(config.MIGRATIONS_ON_START, db, log, { syncIndexes });
}

// `npm run migrate [-- --dry-run]` / `node src/migrate.ts` / in the image `node dist/migrate.js`
// (the operator's migration Job): applies the pending schema/data migrations of
// src/migrations/list.ts to MONGODB_URI/MONGODB_DB under the migration lock, then creates
// every declared index. Only MongoDB is used, so the other required variables may be absent.
//
// Exit codes (the Job and scripts branch on them):
//   0  the database is up to date (or --dry-run listed what is pending)
//   1  a migration failed (the ones before it stay recorded; rerun after fixing) or an error
//   2  bad usage or configuration
//   3  the database is newer than this binary: nothing was changed
//   4  another migrator held the lock for longer than the wait
import mongoose from 'mongoose';
import { LockTimeoutError } from './migrations/lock.ts';
import { MIGRATIONS } from './migrations/list.ts';
import { DatabaseNewerError, migrate, readApplied } from './migrations/runner.ts';
import { APP_VERSION } from './migrations/version.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { connectMongo, syncIndexes } from './platform/db.ts';
import { createLogger } from './platform/logger.ts';
// Registers every model, so that the index sync sees them all.
import './runtime.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, newer: 3, locked: 4 } as const;

const USAGE = `usage: migrate [--dry-run]
  applies the pending migrations of this release (${APP_VERSION}) to MONGODB_URI
  --dry-run   list applied and pending migrations; change nothing`;

const args = process.argv.slice(2);
if (args.some((a) => a !== '--dry-run')) {
  console.error(args.includes('--help') || args.includes('-h') ? USAGE : `${USAGE}\n`);
  process.exit(args.includes('--help') || args.includes('-h') ? EXIT.ok : EXIT.usage);
}
const dryRun = args.includes('--dry-run');

let config;
try {
  // Placeholders for what the migrator does not use (as the seed script does); a variable that
  // is set is still validated.
  config = loadConfig({
    JWT_SECRET: 'x'.repeat(32),
    S3_ACCESS_KEY: '-',
    S3_SECRET_KEY: '-',
    REDIS_URL: 'redis://localhost:6379',
    ...process.env,
  });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(EXIT.usage);
}
const log = createLogger(config.LOG_LEVEL, 'pms-migrate');

let code: number = EXIT.ok;
try {
  await connectMongo(config);
  const db = mongoose.connection.db;
  if (!db) throw new Error('MongoDB is not connected');
  const r = await migrate(db, {
    migrations: MIGRATIONS,
    appVersion: APP_VERSION,
    log,
    dryRun,
    after: syncIndexes,
  });
  if (dryRun) {
    const applied = await readApplied(db);
    for (const a of applied)
      console.log(`applied  ${a._id}  (${a.appVersion}, ${a.appliedAt.toISOString()})`);
    for (const id of r.pending)
      console.log(`pending  ${id}  ${MIGRATIONS.find((m) => m.id === id)?.description ?? ''}`);
    console.log(
      r.pending.length === 0
        ? 'database is up to date'
        : `${r.pending.length} migration(s) pending`,
    );
  } else {
    log.info(
      { ran: r.ran, version: APP_VERSION },
      r.ran.length > 0 ? `applied ${r.ran.length} migration(s)` : 'database is up to date',
    );
  }
} catch (err) {
  code =
    err instanceof DatabaseNewerError
      ? EXIT.newer
      : err instanceof LockTimeoutError
        ? EXIT.locked
        : EXIT.failed;
  // One plain line as the last output: with terminationMessagePolicy FallbackToLogsOnError it
  // becomes the failed pod's termination message, which the operator shows in its condition.
  log.error({ err }, 'migrate failed');
  console.error(err instanceof Error ? err.message : String(err));
} finally {
  await mongoose.disconnect().catch(() => undefined);
}
process.exit(code);

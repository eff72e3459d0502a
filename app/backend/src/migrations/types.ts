// The shape of one schema/data migration. Migrations work on the raw driver collections, not on
// the mongoose models: a model describes today's documents, while a migration must keep doing
// exactly what it did when it was written, whatever the models become later.
import type mongoose from 'mongoose';

export type TDb = mongoose.mongo.Db;

export interface MigrationLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

export interface MigrationContext {
  db: TDb;
  log: MigrationLog;
}

export interface Migration {
  /**
   * Stable, ordered id: `NNNN-short-name` (four digits, then a kebab-case name). Recorded in the
   * `migrations` collection once applied; never renamed or reused.
   */
  id: string;
  /** One line: what it changes and why. */
  description: string;
  /**
   * Brings the database forward. Must be idempotent: a migrator that dies after `up` returned
   * but before the record was written runs it again, and so does a lock taken over after expiry.
   * Must keep the previous release working (expand, do not contract): while the migration Job
   * runs and during the roll-out, the old pods still serve from this database.
   */
  up(ctx: MigrationContext): Promise<void>;
}

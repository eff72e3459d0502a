// Which migrations to run, from the known list and the ids a database has recorded. Pure.
import type { Migration } from './types.ts';

export const MIGRATION_ID = /^\d{4}-[a-z0-9]+(-[a-z0-9]+)*$/;

/** Throws when the list is not a valid ordered set (a programming error caught by tests). */
export function checkMigrationList(list: readonly Pick<Migration, 'id'>[]): void {
  let previous = '';
  for (const m of list) {
    if (!MIGRATION_ID.test(m.id)) throw new Error(`migration id ${m.id} is not NNNN-kebab-name`);
    if (m.id <= previous) throw new Error(`migration ${m.id} is not after ${previous}`);
    previous = m.id;
  }
}

export interface MigrationPlan<M> {
  /** Known and not applied, in list order. */
  pending: M[];
  /** Applied and known. */
  applied: string[];
  /** Applied but unknown to this binary: the database was migrated by a newer release. */
  unknown: string[];
}

export function planMigrations<M extends Pick<Migration, 'id'>>(
  known: readonly M[],
  appliedIds: Iterable<string>,
): MigrationPlan<M> {
  const applied = new Set(appliedIds);
  const ids = new Set(known.map((m) => m.id));
  return {
    pending: known.filter((m) => !applied.has(m.id)),
    applied: known.filter((m) => applied.has(m.id)).map((m) => m.id),
    unknown: [...applied].filter((id) => !ids.has(id)).sort(),
  };
}

// Pure pieces of task listing: sort specs, opaque cursors (keyset pagination: no skip), regex
// escaping. Keyset pagination stays O(page) on large projects and never shows a task twice.
import { badRequest } from '../platform/errors.ts';

export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const SORTS = {
  '-created': { field: 'createdAt', dir: -1 },
  created: { field: 'createdAt', dir: 1 },
  '-updated': { field: 'updatedAt', dir: -1 },
  updated: { field: 'updatedAt', dir: 1 },
  number: { field: 'number', dir: 1 },
  '-number': { field: 'number', dir: -1 },
  priority: { field: 'priorityOrder', dir: -1 },
  '-priority': { field: 'priorityOrder', dir: 1 },
  rank: { field: 'rank', dir: 1 },
} as const;
export type TSortKey = keyof typeof SORTS;

type CursorValue = string | number;
interface Cursor {
  s: string; // sort key the cursor belongs to
  v: CursorValue;
  d?: 1; // v is a date (ISO string)
  id: string;
}

export function encodeCursor(sort: TSortKey, value: unknown, id: string): string {
  const c: Cursor =
    value instanceof Date
      ? { s: sort, v: value.toISOString(), d: 1, id }
      : { s: sort, v: value as CursorValue, id };
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(
  sort: TSortKey,
  cursor: string,
): { value: CursorValue | Date; id: string } {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw badRequest('Invalid cursor', [
      { path: 'query.cursor', message: 'is not a cursor from this API' },
    ]);
  }
  const ok =
    c !== null &&
    typeof c === 'object' &&
    c.s === sort &&
    typeof c.id === 'string' &&
    /^[a-f0-9]{24}$/.test(c.id) &&
    (typeof c.v === 'string' || typeof c.v === 'number');
  if (!ok)
    throw badRequest('Invalid cursor', [
      { path: 'query.cursor', message: 'does not match this sort order' },
    ]);
  if (c.d === 1) {
    const d = new Date(c.v);
    if (Number.isNaN(d.getTime()))
      throw badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'bad date' }]);
    return { value: d, id: c.id };
  }
  return { value: c.v, id: c.id };
}

/** The keyset condition "after the cursor" for a sort on (field dir, _id dir). */
export function afterCursor(sort: TSortKey, value: unknown, id: unknown): Record<string, unknown> {
  const { field, dir } = SORTS[sort];
  const op = dir === 1 ? '$gt' : '$lt';
  return { $or: [{ [field]: { [op]: value } }, { [field]: value, _id: { [op]: id } }] };
}

export function sortSpec(sort: TSortKey): Record<string, 1 | -1> {
  const { field, dir } = SORTS[sort];
  return { [field]: dir, _id: dir };
}

/** `WEB-42`, `#42` or `42` → 42, else null. */
export function parseTaskNumber(q: string, projectKey: string): number | null {
  const m = new RegExp(`^(?:${escapeRegex(projectKey)}-|#)?(\\d{1,9})$`, 'i').exec(q.trim());
  return m?.[1] ? Number(m[1]) : null;
}

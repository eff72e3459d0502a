// Input hygiene shared by the zod schemas: calendar-checked dates and single-line text without
// control or bidirectional-override characters. Pure.
import { z } from 'zod';

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))?)?$/;

/**
 * True for a real calendar date (YYYY-MM-DD, optionally an ISO 8601 time): `Date.parse` rolls
 * 2026-02-31 over to 2026-03-03, so every component is checked against its range.
 */
export function isRealDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    return false;
  const inRange = (v: string | undefined, max: number) => v === undefined || Number(v) <= max;
  return (
    inRange(m[4], 23) &&
    inRange(m[5], 59) &&
    inRange(m[6], 59) &&
    inRange(m[8], 23) &&
    inRange(m[9], 59)
  );
}

export const ZStrictDate = z
  .string()
  .refine(isRealDate, 'must be a real date (YYYY-MM-DD or ISO 8601)')
  .transform((s) => new Date(s));

// C0 and C1 controls (NUL, escape, newline … in a one-line field), DEL, and the bidirectional
// embedding/override/isolate characters (U+202A-U+202E, U+2066-U+2069) that can make a title
// display as something else than it is ("Trojan Source").
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export const stripUnsafe = (s: string): string => s.replace(UNSAFE, '');

/** A single-line name or title: unsafe characters stripped, then trimmed and length-checked. */
export const ZLine = (max: number) =>
  z
    .string()
    .transform((s) => stripUnsafe(s).trim())
    .pipe(z.string().min(1, 'must not be empty').max(max));

// The JSON merge patch (RFC 7386) that turns a status as read into the desired one. Pure.
import { jsonEqual } from './compute.ts';

type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every field of `next` in full, and null for what `prev` has and `next` does not, in nested
 * maps too (a merge patch merges maps: a key left out would stay). Arrays (conditions) are
 * replaced whole. `fields` limits the patch to the top-level fields a writer owns (others stay
 * with their writers); by default every field of either side. Undefined when nothing differs.
 */
export function statusMergePatch(
  prev: Json | undefined,
  next: Json,
  fields?: readonly string[],
): Json | undefined {
  const keys = fields ?? [...new Set([...Object.keys(prev ?? {}), ...Object.keys(next)])];
  const pick = (s: Json | undefined) => Object.fromEntries(keys.map((k) => [k, s?.[k] ?? null]));
  const had = pick(prev);
  const want = pick(next);
  return jsonEqual(had, want) ? undefined : diffMaps(had, want);
}

function diffMaps(prev: Json, next: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue;
    const was = prev[k];
    out[k] = isMap(v) && isMap(was) ? diffMaps(was, v) : v;
  }
  for (const k of Object.keys(prev)) if (!(k in out) && prev[k] !== undefined) out[k] = null;
  return out;
}

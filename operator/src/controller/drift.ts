// Does the live object already carry exactly what we would apply? The steady state must make
// no write call, so a child is applied only when it is missing or drifted. Two checks:
//  1. "desired is a subset of live": every field we render has its value on the live object;
//     fields defaulted by the API server or owned by other managers are ignored; lists must
//     match element by element. Scalars compare exactly, except quantities (under
//     `requests`/`limits`, and `sizeLimit`), which the API server normalises ("0.5" becomes
//     "500m", "1.10" becomes "1100m") and compare by value.
//  2. "we own nothing we no longer render": with server-side apply the live object's
//     managedFields record the fields our field manager applied last time. A field we own
//     there but no longer render (an Ingress TLS block, an annotation, a resource limit, an
//     imagePullSecret removed from the spec) is drift: applying the rendered object then makes
//     the API server remove it (SSA deletes fields the manager applied before and omits now,
//     unless another manager also owns them). Without this check such a field stayed forever.
import { parseQuantity } from '../api/spec.ts';
import { FIELD_MANAGER } from '../apply/apply.ts';

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v).every((x) => x === undefined);
  return false;
}

const QUANTITY_PARENTS = new Set(['requests', 'limits']);

/** Is the scalar at `key` (under `parent`) a resource quantity? */
function isQuantityField(parent: string | undefined, key: string | undefined): boolean {
  return (parent !== undefined && QUANTITY_PARENTS.has(parent)) || key === 'sizeLimit';
}

function scalarEqual(desired: unknown, live: unknown, quantity: boolean): boolean {
  if (desired === live) return true;
  if (!quantity) return false;
  if (
    (typeof desired === 'string' || typeof desired === 'number') &&
    (typeof live === 'string' || typeof live === 'number')
  ) {
    const a = parseQuantity(String(desired));
    const b = parseQuantity(String(live));
    return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-12;
  }
  return false;
}

function subsetDrift(
  desired: unknown,
  live: unknown,
  path: string,
  parent: string | undefined,
  key: string | undefined,
): string[] {
  if (desired === undefined) return [];
  if (isEmpty(desired) && isEmpty(live)) return [];
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [path || '.'];
    return desired.flatMap((d, n) => subsetDrift(d, live[n], `${path}[${n}]`, parent, key));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return [path || '.'];
    const l = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).flatMap(([k, v]) =>
      subsetDrift(v, l[k], path ? `${path}.${k}` : k, key, k),
    );
  }
  return scalarEqual(desired, live, isQuantityField(parent, key)) ? [] : [path || '.'];
}

type FieldSet = { [k: string]: FieldSet };

const absent = (v: unknown) => v === undefined || v === null;

/** Loose equality of a list-map key value with a rendered one (80 and "80" alike). */
const keyValueEqual = (a: unknown, b: unknown) =>
  a === b || (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));

/**
 * Paths of fields in `owned` (a managedFields `fieldsV1` set) that `desired` no longer has.
 * `f:name` is a field, `k:{...}` a list element by its merge keys (a key the rendered element
 * leaves out matches anything: the API server fills defaults such as a port's protocol into
 * the key), `v:value` an element of a set, `i:n` an element by index; `.` is the element
 * itself.
 */
export function ownedNotDesired(owned: FieldSet, desired: unknown, path = ''): string[] {
  const out: string[] = [];
  for (const [k, sub] of Object.entries(owned)) {
    if (k === '.') continue;
    const rest = Object.keys(sub).some((x) => x !== '.');
    if (k.startsWith('f:')) {
      const name = k.slice(2);
      const here = path ? `${path}.${name}` : name;
      const d =
        desired !== null && typeof desired === 'object' && !Array.isArray(desired)
          ? (desired as Record<string, unknown>)[name]
          : undefined;
      if (absent(d)) out.push(here);
      else if (rest) out.push(...ownedNotDesired(sub, d, here));
      continue;
    }
    const list = Array.isArray(desired) ? (desired as unknown[]) : undefined;
    const here = `${path}[${k}]`;
    if (!list) {
      out.push(here);
      continue;
    }
    let element: unknown;
    if (k.startsWith('k:')) {
      let keys: Record<string, unknown>;
      try {
        keys = JSON.parse(k.slice(2)) as Record<string, unknown>;
      } catch {
        continue;
      }
      element = list.find(
        (e) =>
          e !== null &&
          typeof e === 'object' &&
          Object.entries(keys).every(([kk, kv]) => {
            const ev = (e as Record<string, unknown>)[kk];
            return ev === undefined || keyValueEqual(ev, kv);
          }),
      );
    } else if (k.startsWith('v:')) {
      let value: unknown;
      try {
        value = JSON.parse(k.slice(2));
      } catch {
        continue;
      }
      element = list.find((e) => JSON.stringify(e) === JSON.stringify(value));
    } else if (k.startsWith('i:')) {
      element = list[Number(k.slice(2))];
    } else {
      continue;
    }
    if (absent(element)) out.push(here);
    else if (rest) out.push(...ownedNotDesired(sub, element, here));
  }
  return out;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

/** The fields `manager` last applied to `live` (server-side apply), or undefined. */
export function appliedFields(live: unknown, manager = FIELD_MANAGER): FieldSet | undefined {
  const entries = (live as { metadata?: { managedFields?: ManagedFieldsEntry[] } } | undefined)
    ?.metadata?.managedFields;
  const entry = entries?.find(
    (m) => m.manager === manager && m.operation === 'Apply' && !m.subresource,
  );
  const f = entry?.fieldsV1;
  return f && typeof f === 'object' ? (f as FieldSet) : undefined;
}

/** Paths (dot-separated) where `live` differs from `desired`; empty when in sync. */
export function driftPaths(desired: unknown, live: unknown): string[] {
  const missing = subsetDrift(desired, live, '', undefined, undefined);
  const owned = appliedFields(live);
  const removed = owned ? ownedNotDesired(owned, desired).map((p) => `-${p}`) : [];
  return [...missing, ...removed];
}

export function inSync(desired: unknown, live: unknown): boolean {
  return driftPaths(desired, live).length === 0;
}

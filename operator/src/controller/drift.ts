// Does the live object already carry everything we would apply? The steady state must make no
// write call, so a child is applied only when it is missing or a field we set differs. The
// comparison is "desired is a subset of live": fields defaulted by the API server or owned by
// other managers are ignored; lists must match element by element.
import { parseQuantity } from '../api/spec.ts';

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v).every((x) => x === undefined);
  return false;
}

function scalarEqual(desired: unknown, live: unknown): boolean {
  if (desired === live) return true;
  // Quantities are normalised by the API server ("0.5" becomes "500m", 1024Mi stays 1Gi...).
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

/** Paths (dot-separated) where `live` does not carry `desired`; empty when in sync. */
export function driftPaths(desired: unknown, live: unknown, path = ''): string[] {
  if (desired === undefined) return [];
  if (isEmpty(desired) && isEmpty(live)) return [];
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [path || '.'];
    return desired.flatMap((d, n) => driftPaths(d, live[n], `${path}[${n}]`));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return [path || '.'];
    const l = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).flatMap(([k, v]) =>
      driftPaths(v, l[k], path ? `${path}.${k}` : k),
    );
  }
  return scalarEqual(desired, live) ? [] : [path || '.'];
}

export function inSync(desired: unknown, live: unknown): boolean {
  return driftPaths(desired, live).length === 0;
}

// Support bundles leave the cluster: Secrets keep their keys (so "is the key there?" can still be
// answered) and lose their values; last-applied annotations (which copy a Secret's data) and
// managedFields go too. scrub() is the second line of defence: any Secret value that shows up
// elsewhere (a ConfigMap, a log line) is replaced as well. Pure.
import type { KObject } from './kube.ts';

export const REDACTED = 'REDACTED';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function redact(o: KObject): KObject {
  const metadata = { ...o.metadata };
  delete metadata.managedFields;
  if (metadata.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _dropped, ...rest } = metadata.annotations;
    metadata.annotations = rest;
  }
  const out: KObject = { ...o, metadata };
  if (o.kind === 'Secret') {
    for (const field of ['data', 'stringData'] as const) {
      const values = o[field];
      if (values && typeof values === 'object') {
        out[field] = Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
      }
    }
  }
  return out;
}

/**
 * Every Secret value worth searching for, decoded and as stored (base64). Values under 8
 * characters (a database name such as `pms`) would blank out ordinary words, and are no secret.
 */
export function secretValues(secrets: readonly KObject[]): string[] {
  const found = new Set<string>();
  for (const s of secrets) {
    const data = (s.data ?? {}) as Record<string, unknown>;
    for (const v of Object.values(data)) {
      if (typeof v !== 'string') continue;
      const decoded = Buffer.from(v, 'base64').toString('utf8');
      for (const x of [v, decoded, ...decoded.split('\n')]) {
        if (x.trim().length >= 8) found.add(x.trim());
      }
    }
  }
  // Longest first, so a value that contains another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length);
}

export function scrub(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) out = out.split(v).join(REDACTED);
  return out;
}

// The manifest: `<instance>/<timestamp>.manifest.json`, written last, so a backup exists if and
// only if its manifest does. Object keys and timestamps are defined here and nowhere else.
import { z } from 'zod';

export const MANIFEST_FORMAT = 'pms-backup-manifest';
export const MANIFEST_VERSION = 1;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const ZManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.literal(MANIFEST_VERSION),
  instance: z.string().min(1),
  timestamp: z.string().min(1),
  startedAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
  appVersion: z.string(),
  backupVersion: z.string(),
  mongo: z.object({
    database: z.string().min(1),
    serverVersion: z.string(),
    ferretdbVersion: z.string().optional(),
  }),
  archive: z.object({
    key: z.string().min(1),
    size: z.number().int().nonnegative(),
    sha256,
    archiveFormatVersion: z.number().int(),
  }),
  collections: z.array(
    z.object({
      name: z.string().min(1),
      type: z.enum(['collection', 'view']),
      count: z.number().int().nonnegative(),
      indexes: z.number().int().nonnegative(),
    }),
  ),
  attachments: z.object({
    /** Bucket the objects were copied from (informational: restore writes to its own). */
    sourceBucket: z.string().nullable(),
    /** Key prefix in the backup bucket; object keys are appended to it unchanged. */
    prefix: z.string().min(1),
    count: z.number().int().nonnegative(),
    totalSize: z.number().int().nonnegative(),
    objects: z.array(
      z.object({
        key: z.string().min(1),
        size: z.number().int().nonnegative(),
        sha256,
        contentType: z.string().optional(),
      }),
    ),
  }),
});
export type TManifest = z.infer<typeof ZManifestSchema>;

export function parseManifest(text: string, where: string): TManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: manifest is not JSON: ${(e as Error).message}`);
  }
  const r = ZManifestSchema.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`${where}: invalid manifest:\n${lines.join('\n')}`);
  }
  const m = r.data;
  const sum = m.attachments.objects.reduce((a, o) => a + o.size, 0);
  if (m.attachments.count !== m.attachments.objects.length || m.attachments.totalSize !== sum) {
    throw new Error(`${where}: attachment count/size totals do not match the object list`);
  }
  return m;
}

/** `20261125T152240123Z`: UTC, millisecond precision, sorts lexicographically by time. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

const TIMESTAMP = /^\d{8}T\d{9}Z$/;
export const isTimestamp = (s: string): boolean => TIMESTAMP.test(s);

export function parseTimestamp(ts: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(ts);
  if (!m) throw new Error(`not a backup timestamp: ${ts}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
}

/**
 * Object keys of one backup. `base` is `<BACKUP_S3_PREFIX><instance>`, e.g. `acme` or
 * `backups/acme`.
 */
export const keys = {
  archive: (base: string, ts: string) => `${base}/${ts}.archive.gz`,
  manifest: (base: string, ts: string) => `${base}/${ts}.manifest.json`,
  attachmentsPrefix: (base: string, ts: string) => `${base}/${ts}/attachments/`,
};

export const baseOf = (prefix: string, instance: string): string => `${prefix}${instance}`;

/** The instance name of a base (its last path segment). */
export const instanceOfBase = (base: string): string => base.slice(base.lastIndexOf('/') + 1);

/**
 * Which backup a user means: an archive or manifest key (`[prefix/]inst/TS.archive.gz`),
 * `[prefix/]inst/TS`, a bare timestamp (of `base`), or `latest` (resolved by the caller).
 */
export function resolveBackupRef(
  ref: string,
  base: string,
): { base: string; timestamp: string } | 'latest' {
  if (ref === 'latest') return 'latest';
  if (isTimestamp(ref)) return { base, timestamp: ref };
  const m =
    /^((?:[A-Za-z0-9._-]+\/)*[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/(\d{8}T\d{9}Z)(?:\.archive\.gz|\.manifest\.json)?$/.exec(
      ref,
    );
  if (m?.[1] && m[2] && !m[1].split('/').includes('..')) return { base: m[1], timestamp: m[2] };
  throw new Error(
    `cannot understand backup reference "${ref}": use latest, a timestamp like 20261125T152240123Z, ` +
      'or an object key like <instance>/<timestamp>.archive.gz',
  );
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Groups the keys under `<base>/` by backup timestamp. */
export function groupByTimestamp(base: string, objectKeys: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const re = new RegExp(
    `^${escapeRegExp(base)}/(\\d{8}T\\d{9}Z)(?:\\.archive\\.gz|\\.manifest\\.json|/.*)$`,
  );
  for (const k of objectKeys) {
    const ts = re.exec(k)?.[1];
    if (!ts) continue;
    const g = groups.get(ts) ?? [];
    g.push(k);
    groups.set(ts, g);
  }
  return groups;
}

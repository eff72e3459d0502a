// Configuration from the environment, parsed once with zod. Secrets come from VAR or VAR_FILE
// (a mounted Secret); they are collected in `secrets` so the logger can redact them and are
// never printed. Error messages name variables, never values.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const SECRET_VARS = [
  'MONGODB_URI',
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'BACKUP_S3_ACCESS_KEY',
  'BACKUP_S3_SECRET_KEY',
] as const;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const ZEnvSchema = z.object({
  INSTANCE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label (the PmsInstance name)')
    .max(63),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI'),
  MONGODB_DB: z.string().min(1).optional(),
  APP_VERSION: z.string().min(1).default('unknown'),

  // Attachments bucket of the instance (the app's own S3 settings).
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(3).optional(),
  S3_USE_PATH_STYLE: bool.default(true),

  // Backup destination; each unset value falls back to the attachments store's.
  BACKUP_S3_ENDPOINT: z.url().optional(),
  BACKUP_S3_REGION: z.string().min(1).optional(),
  BACKUP_S3_ACCESS_KEY: z.string().min(1).optional(),
  BACKUP_S3_SECRET_KEY: z.string().min(1).optional(),
  BACKUP_S3_BUCKET: z.string().min(3),
  BACKUP_S3_USE_PATH_STYLE: bool.optional(),
  /** Key prefix in the destination bucket, e.g. `backups/` (keys are `<prefix><instance>/…`). */
  BACKUP_S3_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or path segments ending in "/", e.g. backups/')
    .refine((p) => !p.split('/').includes('..'), 'must not contain ".."')
    .default(''),

  KEEP_LAST: z.coerce.number().int().min(1).max(10000).optional(),
  /** Connection/request timeout for S3 and MongoDB server selection. */
  TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(15000),
  /** Where to write a short JSON result (Kubernetes: /dev/termination-log). */
  RESULT_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export interface S3Target {
  endpoint: string | undefined;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  forcePathStyle: boolean;
}

export interface TConfig {
  instance: string;
  mongodbUri: string;
  mongodbDb: string | undefined;
  appVersion: string;
  /** Absent when the instance has no attachments store configured (S3_BUCKET unset). */
  attachments: S3Target | undefined;
  destination: S3Target;
  /** BACKUP_S3_PREFIX + INSTANCE: every key of this instance's backups starts with `${base}/`. */
  base: string;
  /** True when backups go to the attachments bucket itself (under BACKUP_S3_PREFIX). */
  sameBucket: boolean;
  backupPrefix: string;
  keepLast: number | undefined;
  timeoutMs: number;
  resultFile: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Every secret value, for redaction. */
  secrets: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Resolves VAR_FILE into VAR for the secret variables (VAR wins if both are set: an error). */
function resolveFiles(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  for (const name of SECRET_VARS) {
    const file = out[`${name}_FILE`];
    if (!file) continue;
    if (out[name] !== undefined) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
    try {
      out[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new ConfigError(`${name}_FILE: cannot read ${file}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** The raw (still percent-encoded) password of a `scheme://user:password@hosts/...` URI. */
export function uriPassword(uri: string): string | undefined {
  const rest = uri.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const query = rest.indexOf('?');
  // Credentials end at the last '@' before the query (hosts, ports and paths never hold one).
  const at = rest.lastIndexOf('@', query === -1 ? rest.length : query);
  if (at === -1) return undefined;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  return colon === -1 ? undefined : userinfo.slice(colon + 1) || undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TConfig {
  const resolved = resolveFiles(env);
  const parsed = ZEnvSchema.safeParse(resolved);
  if (!parsed.success) {
    // Only the variable names and zod's messages: zod does not echo input values here.
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;

  let attachments: S3Target | undefined;
  if (e.S3_BUCKET) {
    if (!e.S3_ACCESS_KEY || !e.S3_SECRET_KEY) {
      throw new ConfigError('S3_BUCKET is set: S3_ACCESS_KEY and S3_SECRET_KEY are required');
    }
    attachments = {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKey: e.S3_ACCESS_KEY,
      secretKey: e.S3_SECRET_KEY,
      bucket: e.S3_BUCKET,
      forcePathStyle: e.S3_USE_PATH_STYLE,
    };
  }
  const accessKey = e.BACKUP_S3_ACCESS_KEY ?? e.S3_ACCESS_KEY;
  const secretKey = e.BACKUP_S3_SECRET_KEY ?? e.S3_SECRET_KEY;
  if (!accessKey || !secretKey) {
    throw new ConfigError(
      'backup destination credentials missing: set BACKUP_S3_ACCESS_KEY and BACKUP_S3_SECRET_KEY (or their _FILE forms)',
    );
  }
  const destination: S3Target = {
    endpoint: e.BACKUP_S3_ENDPOINT ?? e.S3_ENDPOINT,
    region: e.BACKUP_S3_REGION ?? e.S3_REGION,
    accessKey,
    secretKey,
    bucket: e.BACKUP_S3_BUCKET,
    forcePathStyle: e.BACKUP_S3_USE_PATH_STYLE ?? e.S3_USE_PATH_STYLE,
  };

  const sameBucket =
    attachments !== undefined &&
    attachments.bucket === destination.bucket &&
    attachments.endpoint === destination.endpoint;
  if (sameBucket && e.BACKUP_S3_PREFIX === '') {
    throw new ConfigError(
      'BACKUP_S3_BUCKET is the attachments bucket: set BACKUP_S3_PREFIX (e.g. backups/) so that ' +
        'backups are kept apart from attachments',
    );
  }

  const secrets = SECRET_VARS.map((n) => resolved[n]).filter((v): v is string => !!v);
  // The URI's password alone, too (it could appear URL-decoded in a driver message). Not with
  // `new URL()`: it rejects multi-host replica-set URIs, whose password would then be missed.
  const password = uriPassword(e.MONGODB_URI);
  if (password) {
    secrets.push(password);
    try {
      secrets.push(decodeURIComponent(password));
    } catch {
      // Not valid percent-encoding: the driver rejects the URI; the raw form is redacted.
    }
  }

  let mongodbDb = e.MONGODB_DB;
  if (!mongodbDb) {
    const m = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(e.MONGODB_URI);
    mongodbDb = m?.[1] ? decodeURIComponent(m[1]) : undefined;
  }

  return {
    instance: e.INSTANCE,
    mongodbUri: e.MONGODB_URI,
    mongodbDb,
    appVersion: e.APP_VERSION,
    attachments,
    destination,
    base: `${e.BACKUP_S3_PREFIX}${e.INSTANCE}`,
    sameBucket,
    backupPrefix: e.BACKUP_S3_PREFIX,
    keepLast: e.KEEP_LAST,
    timeoutMs: e.TIMEOUT_MS,
    resultFile: e.RESULT_FILE,
    logLevel: e.LOG_LEVEL,
    secrets: [...new Set(secrets)].filter((s) => s.length >= 4),
  };
}

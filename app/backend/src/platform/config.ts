// Every environment variable of the design, parsed once with zod. Secrets accept a `<NAME>_FILE`
// variant (a mounted Secret file) that wins over the plain variable. A bad configuration fails
// start-up with one line per bad variable (ConfigError.message).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConnectionUriError, parseMongoUri, redactUri } from './connection-uri.ts';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : ['true', '1', 'yes', 'on'].includes(v)));

const int = (def: number, min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

const list = (def: string[]) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined || v.trim() === ''
        ? def
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    );

const url = (def?: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === '' ? def : v;
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is required' });
        return z.NEVER;
      }
      try {
        new URL(value);
      } catch {
        // Redacted: a URL with credentials (REDIS_URL) must not reach the console.
        ctx.addIssue({ code: 'custom', message: `is not a valid URL: ${redactUri(value)}` });
        return z.NEVER;
      }
      return value;
    });

/** A MongoDB connection string: single or multi-host `mongodb://`, or `mongodb+srv://`. */
const mongoUri = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    try {
      parseMongoUri(v);
    } catch (err) {
      if (!(err instanceof ConnectionUriError)) throw err;
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid MongoDB connection string (${err.message}): ${redactUri(v)}`,
      });
      return z.NEVER;
    }
    return v;
  });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

export const ZConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  TZ: z.string().default('UTC'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: int(4000, 0, 65535),
  BACKEND_PORT: int(0, 0, 65535),
  FRONTEND_URL: url('http://localhost:3000'),
  BACKEND_URL: url('http://localhost:4000'),
  API_VERSION: z.string().default('v1'),
  MONGODB_URI: mongoUri,
  // Unset: the database named in MONGODB_URI's path, else `pms` (resolved in loadConfig). The
  // URI's database must win over a fixed default: tenants sharing one MongoDB server are told
  // apart by it, and the backup tool dumps exactly that database.
  MONGODB_DB: optionalString,
  REDIS_URL: url(),
  REDIS_DB: int(0, 0, 15),
  REDIS_PASSWORD: optionalString,
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ACCESS_TTL: int(900, 1),
  JWT_REFRESH_TTL: int(1209600, 60),
  /** Seconds in which a just-rotated refresh token returns the same successor (other tabs). */
  REFRESH_GRACE_SECONDS: int(10, 0, 300),
  /**
   * Seconds a user's session state (version, role, disabled) and a login's revocation status
   * stay cached in Redis. Changes are written through at once; this only bounds how long a
   * change made while Redis was unreachable can go unseen.
   */
  AUTH_CACHE_TTL: int(15, 1, 3600),
  REFRESH_COOKIE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a cookie name')
    .default('pm_refresh'),
  /**
   * The refresh cookie's Secure flag. `auto` sets it when the request arrived over HTTPS (as
   * the trusted proxy reports it in X-Forwarded-Proto, see TRUST_PROXY) or FRONTEND_URL is
   * https: browsers drop Secure cookies set on plain-HTTP pages, so a fixed `true` signs every
   * user out on reload there.
   */
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  BCRYPT_ROUNDS: int(12, 4, 15),
  S3_ENDPOINT: optionalString,
  /** Browser-reachable S3 address for presigned URLs; unset → downloads stream through the API. */
  S3_PUBLIC_ENDPOINT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      try {
        const u = new URL(v);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      } catch {
        ctx.addIssue({ code: 'custom', message: `is not a valid http(s) URL: ${redactUri(v)}` });
        return z.NEVER;
      }
      return v;
    }),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1, 'is required'),
  S3_SECRET_KEY: z.string().min(1, 'is required'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .default('pms-attachments'),
  S3_USE_PATH_STYLE: bool(true),
  SMTP_HOST: optionalString,
  SMTP_PORT: int(587, 1, 65535),
  SMTP_SECURE: bool(false),
  SMTP_USER: optionalString,
  SMTP_PASS: optionalString,
  EMAIL_FROM: z.string().default('PMS <no-reply@localhost>'),
  ENABLE_METRICS: bool(true),
  METRICS_PORT: int(0, 0, 65535),
  ENABLE_TRACING: bool(false),
  CORS_ORIGINS: list([]),
  RATE_LIMIT_WINDOW: int(900000, 1000),
  /** Reads (GET/HEAD) per window per user (per IP when anonymous). */
  RATE_LIMIT_MAX: int(1000, 1),
  /** Writes (POST/PUT/PATCH/DELETE) per window per user (per IP when anonymous). */
  RATE_LIMIT_WRITE_MAX: int(300, 1),
  /** Login, refresh, register and logout per window per client IP. */
  RATE_LIMIT_AUTH_MAX: int(200, 1),
  /** Failed logins per client IP before that IP is locked out (successes do not count). */
  LOGIN_RATE_LIMIT_MAX: int(30, 1),
  /** Failed logins per account (email) before that account is locked out. */
  LOGIN_ACCOUNT_MAX_FAILURES: int(5, 1),
  /** First lock-out; each further failure doubles it, up to LOGIN_LOCKOUT_MAX_MS. */
  LOGIN_LOCKOUT_BASE_MS: int(1000, 1),
  LOGIN_LOCKOUT_MAX_MS: int(900000, 1),
  HELMET_ENABLED: bool(true),
  CLUSTER_MODE: bool(false),
  /** Workers forked by the primary when CLUSTER_MODE=true (default: available parallelism). */
  CLUSTER_WORKERS: int(Math.max(1, availableParallelism()), 1, 1024),
  CACHE_TTL: int(3600, 1),
  /** Off: every list/board read goes to the database (the benchmark's uncached rows). */
  CACHE_ENABLED: bool(true),
  COMPRESSION_ENABLED: bool(true),
  ENABLE_REGISTRATION: bool(false),
  ENABLE_FILE_UPLOAD: bool(true),
  ENABLE_NOTIFICATIONS: bool(true),
  MAINTENANCE_MODE: bool(false),
  MAX_UPLOAD_BYTES: int(25 * 1024 * 1024, 1),
  UPLOAD_ALLOWED_TYPES: list([
    'image/*',
    'application/pdf',
    'text/plain',
    'text/markdown',
    'text/csv',
    'application/json',
    'application/zip',
  ]),
  /** Largest file an import accepts (bytes); a larger one is refused with 413. */
  IMPORT_MAX_BYTES: int(5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  /** Most tasks (subtasks included) one import creates; more is refused with 413. */
  IMPORT_MAX_ROWS: int(2000, 1, 100000),
  ADMIN_EMAIL: z
    .email('must be an email address')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  ADMIN_PASSWORD: optionalString,
  ADMIN_NAME: z.string().default('Administrator'),
  /** Webhooks may target private, loopback, link-local and unique-local addresses. */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool(false),
  /** Internal address ranges webhooks may target although WEBHOOK_ALLOW_PRIVATE_TARGETS is off. */
  WEBHOOK_ALLOWED_CIDRS: list([]).refine(
    (l) =>
      l.every((c) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(c) && isIP(c.split('/')[0] ?? '') !== 0),
    'must be a comma list of CIDRs (10.1.0.0/16, fd00::/8) or addresses',
  ),
  /** One webhook request (connect + response) at most this long. */
  WEBHOOK_TIMEOUT_MS: int(10000, 100, 120000),
  /** Attempts per delivery (the first one included), retried with exponential back-off. */
  WEBHOOK_MAX_ATTEMPTS: int(6, 1, 20),
  /** First retry delay; each further retry doubles it. */
  WEBHOOK_BACKOFF_MS: int(30000, 1),
  /** Consecutive failed deliveries (all attempts failed) that disable a webhook. */
  WEBHOOK_DISABLE_AFTER_FAILURES: int(10, 1, 1000),
  /** Delivery attempts kept per webhook in its log (older ones are removed). */
  WEBHOOK_LOG_SIZE: int(100, 1, 10000),
  SHUTDOWN_TIMEOUT_MS: int(10000, 0),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, 'must be a Redis key prefix')
    .default('pms'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]*$/, 'must be a Redis key prefix')
    .default('pms:'),
  /**
   * Express `trust proxy`: which peers may set X-Forwarded-For/-Proto (client IP for login
   * throttling and rate limits, HTTPS detection). Off by default: a trusted private range would
   * let any client on it pick its own IP. `true` (trust all, only behind a proxy that overwrites
   * the headers), a hop count, or a comma list of addresses/CIDRs/`loopback`/`uniquelocal`….
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string => {
      const t = v.trim();
      if (t === '' || t === 'false') return false;
      if (t === 'true') return true;
      if (/^\d+$/.test(t)) return Number(t);
      return t;
    }),
  CLEANUP_INTERVAL_MS: int(3600000, 1000),
  /**
   * Schema migrations at start-up (src/migrations/startup.ts): `auto` runs what is pending,
   * `require` refuses to start while anything is pending (the `migrate` command or the
   * operator's migration Job runs them), `off` skips the check. In every mode but `off` a
   * database migrated by a newer release makes the process refuse to start.
   */
  MIGRATIONS_ON_START: z.enum(['auto', 'require', 'off']).default('auto'),
  /** Hours an invitation link stays valid (people: invitations/). */
  INVITATION_TTL_HOURS: int(168, 1, 8760),
  /** Minutes a password-reset link stays valid. */
  PASSWORD_RESET_TTL_MINUTES: int(60, 5, 10080),
  /** Live event streams (server-sent events) a user may hold open at once, over all replicas. */
  LIVE_MAX_STREAMS_PER_USER: int(8, 1, 1000),
  /** Seconds between heartbeat comments on a live stream (below every proxy's idle timeout). */
  LIVE_HEARTBEAT_SECONDS: int(25, 1, 300),
  /** A live stream is closed after this many seconds; the client reconnects (re-authorised). */
  LIVE_STREAM_MAX_SECONDS: int(900, 10, 86400),
  /** Events replayed after Last-Event-ID at most; a client further behind is told to reload. */
  LIVE_REPLAY_MAX: int(500, 1, 10000),
});

export type TConfig = Omit<z.output<typeof ZConfigSchema>, 'MONGODB_DB'> & {
  /** MONGODB_DB, else the database of MONGODB_URI, else `pms`. */
  MONGODB_DB: string;
  port: number;
};

/** Variables that may be given as a file path in `<NAME>_FILE`. */
export const SECRET_VARS = [
  'JWT_SECRET',
  'MONGODB_URI',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'SMTP_PASS',
  'ADMIN_PASSWORD',
] as const;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    // Redacted again here: no problem line may show a URI's credentials, whoever wrote it.
    const safe = problems.map(redactUri);
    super(`Invalid configuration:\n${safe.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = safe;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TConfig {
  const problems: string[] = [];
  const input: Record<string, string | undefined> = { ...env };
  for (const name of SECRET_VARS) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    try {
      input[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(
        `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  // Cross-field rules, checked even when other variables are bad (one pass, every problem).
  if (input.ADMIN_EMAIL && !input.ADMIN_PASSWORD)
    problems.push('ADMIN_PASSWORD: is required when ADMIN_EMAIL is set (or ADMIN_PASSWORD_FILE)');
  if (input.ADMIN_PASSWORD && input.ADMIN_PASSWORD.length < 8)
    problems.push('ADMIN_PASSWORD: must be at least 8 characters');
  const parsed = ZConfigSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.') || '(root)';
      const message =
        issue.code === 'invalid_type' && input[name] === undefined ? 'is required' : issue.message;
      problems.push(`${name}: ${message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const c = parsed.data;
  const port = c.BACKEND_PORT || c.PORT;
  // Rules on parsed values (booleans and ports are only known after parsing).
  if (c.ENABLE_TRACING)
    problems.push(
      'ENABLE_TRACING: tracing is not supported in this version (no tracer is built in); unset it or set it to false',
    );
  if (c.CLUSTER_MODE && c.ENABLE_METRICS && c.METRICS_PORT === 0)
    problems.push(
      'METRICS_PORT: is required when CLUSTER_MODE=true and ENABLE_METRICS=true (the primary serves the aggregated metrics of all workers there)',
    );
  if (c.METRICS_PORT !== 0 && c.METRICS_PORT === port)
    problems.push(`METRICS_PORT: must differ from the API port (${port})`);
  if (problems.length > 0) throw new ConfigError(problems);
  const MONGODB_DB = c.MONGODB_DB ?? parseMongoUri(c.MONGODB_URI).database ?? 'pms';
  return { ...c, MONGODB_DB, port };
}

// The operator's environment, parsed once with zod. A bad value stops the process at start-up
// with a message naming the variable, never later in a reconcile.
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini keeps the bundle small; unlike full zod it loads no locale (see api/spec.ts).
if (!z.config().localeError) z.config(en());

const bool = z.pipe(
  z.enum(['true', 'false', '1', '0', 'yes', 'no'], {
    error: 'must be one of true, false, 1, 0, yes, no',
  }),
  z.transform((v) => v === 'true' || v === '1' || v === 'yes'),
);

const port = z.coerce
  .number({ error: 'must be a number' })
  .check(
    z.int('must be an integer'),
    z.gte(0, 'must be between 0 and 65535'),
    z.lte(65535, 'must be between 0 and 65535'),
  );

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Go-style durations (`30s`, `10m`, `1h`, `1500ms`) or plain milliseconds. */
const duration = z.pipe(
  z
    .string()
    .check(z.regex(/^\d+(ms|s|m|h)?$/, 'must be a duration like 10m, 30s, 1h or milliseconds')),
  z.transform((v) => {
    const m = /^(\d+)(ms|s|m|h)?$/.exec(v);
    const n = Number(m?.[1]);
    const unit = m?.[2] ?? 'ms';
    const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    return n * (factor[unit] ?? 1);
  }),
);

export const ZOperatorConfigSchema = z.object({
  /** Empty or unset: all namespaces. */
  WATCH_NAMESPACE: z._default(
    z
      .string()
      .check(z.regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be empty or a namespace name')),
    '',
  ),
  /** Serves /metrics, /healthz and /readyz (the health port is the metrics port). */
  METRICS_PORT: z._default(port, 8080),
  /** Serves /healthz and /readyz separately when set (config/manager uses 8081). */
  HEALTH_PORT: z.optional(port),
  LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
  LEADER_ELECTION: z._default(bool, true),
  LEASE_NAME: z._default(
    z.string().check(z.regex(dns1123, 'must be a DNS-1123 name')),
    'pms-operator',
  ),
  /** Defaults to the pod's namespace (POD_NAMESPACE) or `pms-system`. */
  LEASE_NAMESPACE: z.optional(z.string().check(z.regex(dns1123, 'must be a namespace name'))),
  /** Alias of LEASE_NAMESPACE (the name controller-runtime based manifests use). */
  LEADER_ELECTION_NAMESPACE: z.optional(
    z.string().check(z.regex(dns1123, 'must be a namespace name')),
  ),
  POD_NAMESPACE: z.optional(z.string().check(z.regex(dns1123, 'must be a namespace name'))),
  /** Leader-election identity; defaults to the hostname. */
  POD_NAME: z.optional(z.string().check(z.minLength(1))),
  RESYNC_PERIOD: z._default(duration, 600_000),
  MAX_CONCURRENT_RECONCILES: z._default(
    z.coerce
      .number({ error: 'must be a number' })
      .check(z.int(), z.gte(1, 'must be at least 1'), z.lte(64, 'must be at most 64')),
    4,
  ),
  /**
   * Client-side token bucket on API requests (README: "Request rate limit"): requests per
   * second and how many may go at once; 0 or a negative QPS disables it.
   */
  KUBE_API_QPS: z._default(z.coerce.number({ error: 'must be a number' }).check(z.lte(10_000)), 50),
  KUBE_API_BURST: z._default(
    z.coerce
      .number({ error: 'must be a number' })
      .check(z.int('must be an integer'), z.gte(1, 'must be at least 1'), z.lte(100_000)),
    100,
  ),
});

export type TOperatorConfig = z.infer<typeof ZOperatorConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TOperatorConfig {
  const relevant = Object.fromEntries(
    Object.keys(ZOperatorConfigSchema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = ZOperatorConfigSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `${i.path.join('.')}=${JSON.stringify(relevant[String(i.path[0])])}: ${i.message}`,
    );
    throw new ConfigError(`invalid operator configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

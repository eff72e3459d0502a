// The PmsInstance spec as the operator reads it. The CRD (crds/pmsinstance.yaml) is the user's
// contract and the API server applies its defaults; this zod schema mirrors those defaults so
// that objects built in code (tests, benchmarks) render the same way, and it performs the
// checks the OpenAPI schema and CEL cannot express (see `validateSpec`).
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini (functions instead of methods) keeps the bundle and the resident memory small; unlike
// full zod it loads no locale, so the English messages are set here unless one is already.
if (!z.config().localeError) z.config(en());

export const API_GROUP = 'pms.io';
export const API_VERSION = 'pms.io/v1alpha1';
export const KIND = 'PmsInstance';
export const PLURAL = 'pmsinstances';

const ZQuantity = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((q) => String(q)),
);

/** An integer in [min, max]. */
const ZInt = (min: number, max?: number) =>
  max === undefined
    ? z.number().check(z.int(), z.gte(min))
    : z.number().check(z.int(), z.gte(min), z.lte(max));

export const ZResourcesSchema = z.prefault(
  z.object({
    requests: z.optional(z.record(z.string(), ZQuantity)),
    limits: z.optional(z.record(z.string(), ZQuantity)),
  }),
  {},
);

const ZEnvVarSchema = z.object({
  name: z.string(),
  value: z.optional(z.string()),
  valueFrom: z.optional(z.record(z.string(), z.unknown())),
});

const ZSecretKeyRefSchema = z.object({ name: z.string(), key: z.string() });

/** Images of the in-cluster data stores when the spec names none (MongoDB: mongo:<version>). */
export const DEFAULT_REDIS_IMAGE = 'redis:7-alpine';
export const DEFAULT_MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';

/** The ingress controller's namespace the NetworkPolicies let in when the spec names none. */
export const DEFAULT_INGRESS_NAMESPACE_SELECTOR = {
  matchLabels: { 'kubernetes.io/metadata.name': 'traefik' },
};

/** The namespace allowed to scrape the backend's metrics port when the spec names none. */
export const DEFAULT_MONITORING_NAMESPACE_SELECTOR = {
  matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
};

/** A metav1.LabelSelector (the CRD checks the operators and values). */
const ZLabelSelectorSchema = z.object({
  matchLabels: z.optional(z.record(z.string(), z.string())),
  matchExpressions: z.optional(
    z.array(
      z.object({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.optional(z.array(z.string())),
      }),
    ),
  ),
});

const ZStorageSchema = (size: string) =>
  z.prefault(
    z.object({
      size: z._default(ZQuantity, size),
      storageClassName: z.optional(z.string()),
      deleteOnInstanceDelete: z._default(z.boolean(), false),
    }),
    {},
  );

const ZWorkloadObject = (replicas: number, cpu: string, memory: string, memoryLimit: string) =>
  z.object({
    enabled: z._default(z.boolean(), true),
    replicas: z._default(ZInt(0, 20), replicas),
    resources: z._default(ZResourcesSchema, {
      requests: { cpu, memory },
      limits: { memory: memoryLimit },
    }),
    env: z._default(z.array(ZEnvVarSchema), []),
  });

const ZWorkloadSchema = (replicas: number, cpu: string, memory: string, memoryLimit: string) =>
  z.prefault(ZWorkloadObject(replicas, cpu, memory, memoryLimit), {});

/**
 * A HorizontalPodAutoscaler for a Deployment (backend, frontend). While set, the operator
 * leaves the Deployment's `spec.replicas` to the HPA and `replicas` is not used.
 */
export const ZAutoscalingSchema = z
  .object({
    minReplicas: z._default(ZInt(1, 100), 1),
    maxReplicas: ZInt(1, 100),
    targetCPUUtilizationPercentage: z._default(ZInt(1, 1000), 80),
  })
  .check(
    z.refine((a) => a.minReplicas <= a.maxReplicas, {
      message: 'minReplicas must not exceed maxReplicas',
    }),
  );

export type TAutoscaling = z.infer<typeof ZAutoscalingSchema>;

const ZScalableWorkloadSchema = (
  replicas: number,
  cpu: string,
  memory: string,
  memoryLimit: string,
) =>
  z.prefault(
    z.extend(ZWorkloadObject(replicas, cpu, memory, memoryLimit), {
      autoscaling: z.optional(ZAutoscalingSchema),
    }),
    {},
  );

/** `credentialsSecretRef` of an S3-compatible store (the key names have defaults). */
const ZS3CredentialsRefSchema = z.object({
  name: z.string(),
  accessKeyKey: z._default(z.string(), 'access-key'),
  secretKeyKey: z._default(z.string(), 'secret-key'),
});

export const ZPmsInstanceSpecSchema = z.object({
  version: z.string().check(z.minLength(1)),
  host: z.string().check(z.minLength(1)),
  image: z.prefault(
    z.object({
      registry: z._default(z.string(), 'ghcr.io/pms'),
      pullPolicy: z._default(z.enum(['Always', 'IfNotPresent', 'Never']), 'IfNotPresent'),
      pullSecrets: z._default(z.array(z.object({ name: z.string() })), []),
    }),
    {},
  ),
  ingress: z.prefault(
    z.object({
      enabled: z._default(z.boolean(), true),
      className: z.optional(z.string()),
      annotations: z._default(z.record(z.string(), z.string()), {}),
      tls: z.prefault(z.object({ secretName: z.optional(z.string()) }), {}),
    }),
    {},
  ),
  admin: z.prefault(z.object({ email: z.optional(z.string()) }), {}),
  /** Gateway API instead of the Ingress (the CRD refuses both at once). */
  gateway: z.optional(
    z.object({
      parentRefs: z
        .array(
          z.object({
            name: z.string(),
            namespace: z.optional(z.string()),
            sectionName: z.optional(z.string()),
            port: z.optional(ZInt(1, 65535)),
          }),
        )
        .check(z.minLength(1)),
      hostnames: z.optional(z.array(z.string())),
      namespaceSelector: z.optional(ZLabelSelectorSchema),
    }),
  ),
  backend: ZScalableWorkloadSchema(1, '100m', '256Mi', '512Mi'),
  frontend: ZScalableWorkloadSchema(1, '50m', '128Mi', '256Mi'),
  worker: ZWorkloadSchema(1, '50m', '192Mi', '384Mi'),
  mongodb: z.prefault(
    z.object({
      version: z._default(z.string(), '7.0'),
      /** Unset: mongo:<version> (the renderer composes it, so a version change moves it). */
      image: z.optional(z.string()),
      replicas: z._default(z.union([z.literal(1), z.literal(3)]), 1),
      storage: ZStorageSchema('10Gi'),
      resources: z._default(ZResourcesSchema, {
        requests: { cpu: '250m', memory: '512Mi' },
        limits: { memory: '1Gi' },
      }),
      external: z.optional(z.object({ uriSecretRef: ZSecretKeyRefSchema })),
    }),
    {},
  ),
  redis: z.prefault(
    z.object({
      enabled: z._default(z.boolean(), true),
      image: z._default(z.string(), DEFAULT_REDIS_IMAGE),
      resources: z._default(ZResourcesSchema, {
        requests: { cpu: '50m', memory: '64Mi' },
        limits: { memory: '256Mi' },
      }),
      external: z.optional(z.object({ urlSecretRef: ZSecretKeyRefSchema })),
    }),
    {},
  ),
  objectStorage: z.prefault(
    z.object({
      storage: ZStorageSchema('10Gi'),
      image: z._default(z.string(), DEFAULT_MINIO_IMAGE),
      resources: z._default(ZResourcesSchema, {
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { memory: '512Mi' },
      }),
      external: z.optional(
        z.object({
          endpoint: z.string(),
          region: z._default(z.string(), 'us-east-1'),
          bucket: z.string(),
          usePathStyle: z._default(z.boolean(), false),
          credentialsSecretRef: ZS3CredentialsRefSchema,
        }),
      ),
    }),
    {},
  ),
  backup: z.prefault(
    z.object({
      enabled: z._default(z.boolean(), false),
      schedule: z.optional(z.string()),
      retention: z.prefault(z.object({ keepLast: z._default(ZInt(1), 7) }), {}),
      destination: z.optional(
        z.object({
          endpoint: z.optional(z.string()),
          region: z.optional(z.string()),
          usePathStyle: z.optional(z.boolean()),
          credentialsSecretRef: z.optional(ZS3CredentialsRefSchema),
          bucket: z.optional(z.string()),
          prefix: z.optional(z.string()),
        }),
      ),
    }),
    {},
  ),
  networkPolicy: z.prefault(
    z.object({
      enabled: z._default(z.boolean(), true),
      ingressNamespaceSelector: z._default(
        z.object({ matchLabels: z.record(z.string(), z.string()) }),
        () => structuredClone(DEFAULT_INGRESS_NAMESPACE_SELECTOR),
      ),
    }),
    {},
  ),
  monitoring: z.prefault(
    z.object({
      enabled: z._default(z.boolean(), false),
      interval: z._default(
        z.string().check(z.regex(/^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/)),
        '30s',
      ),
      labels: z.optional(z.record(z.string(), z.string())),
      /** Namespaces whose pods may reach the backend's metrics port (Prometheus). */
      namespaceSelector: z._default(ZLabelSelectorSchema, () =>
        structuredClone(DEFAULT_MONITORING_NAMESPACE_SELECTOR),
      ),
    }),
    {},
  ),
  features: z.prefault(
    z.object({
      registration: z._default(z.boolean(), false),
      fileUpload: z._default(z.boolean(), true),
      notifications: z._default(z.boolean(), true),
    }),
    {},
  ),
  /** Outgoing webhook requests (backend "send test" and worker deliveries). */
  webhooks: z.prefault(
    z.object({
      /** TCP ports webhook targets may use; empty: no egress for webhooks at all. */
      ports: z._default(z.array(ZInt(1, 65535)), () => [443, 80]),
      /** Also private (RFC 1918, CGNAT, loopback) targets; link-local stays closed. */
      allowPrivateTargets: z._default(z.boolean(), false),
      /** Internal ranges webhooks may reach although private targets are refused. */
      allowedCIDRs: z._default(z.array(z.string()), () => []),
    }),
    {},
  ),
  smtp: z.optional(
    z.object({
      host: z.string(),
      port: z._default(ZInt(1, 65535), 587),
      secure: z._default(z.boolean(), false),
      from: z.string(),
      user: z.optional(z.string()),
      passwordSecretRef: z.optional(ZSecretKeyRefSchema),
    }),
  ),
  /** A new instance starts from this backup (a tenant clone), once (controller/backup-clone.ts). */
  restoreFrom: z.optional(
    z.object({
      backupRef: z.optional(z.object({ name: z.string(), namespace: z.optional(z.string()) })),
      objectStorage: z.optional(
        z.object({
          endpoint: z.string(),
          region: z.optional(z.string()),
          usePathStyle: z.optional(z.boolean()),
          bucket: z.string(),
          key: z.string(),
          credentialsSecretRef: ZS3CredentialsRefSchema,
        }),
      ),
    }),
  ),
  maintenance: z._default(z.boolean(), false),
  paused: z._default(z.boolean(), false),
  /** Everything scaled to zero, backups suspended; PVCs and Secrets kept. */
  hibernate: z._default(z.boolean(), false),
  /** The opt-in for a downgrade or a skipped major (checked by the CRD's CEL rules only). */
  upgrade: z.optional(z.object({ allowVersion: z.optional(z.string()) })),
});

export type TPmsInstanceSpec = z.infer<typeof ZPmsInstanceSpecSchema>;
export type TResources = z.infer<typeof ZResourcesSchema>;
export type TEnvVar = z.infer<typeof ZEnvVarSchema>;

export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
}

/** A PmsInstance after parsing: metadata the renderers need plus the defaulted spec. */
export interface PmsInstance {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation?: number;
    labels?: Record<string, string>;
  };
  spec: TPmsInstanceSpec;
}

/** Raised for a spec that the schema accepted but the operator cannot render. */
export class InvalidSpecError extends Error {
  override name = 'InvalidSpecError';
}

/** Environment variables the operator sets itself; `env` in the spec may not override them. */
export const RESERVED_ENV = [
  'NODE_ENV',
  'PORT',
  'MONGODB_URI',
  'MONGODB_USERNAME',
  'MONGODB_PASSWORD',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'S3_ENDPOINT',
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'S3_BUCKET',
  'JWT_SECRET',
  'JWT_SECRET_FILE',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD_FILE',
  'SMTP_PASS',
] as const;

const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** Parses a Kubernetes quantity ("500m", "1.5Gi", "2e3") to a number, or undefined if invalid. */
export function parseQuantity(q: string): number | undefined {
  const m = /^([+-]?[0-9.]+)(?:[eE]([+-]?[0-9]+))?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q);
  if (!m || m[1] === undefined || Number.isNaN(Number(m[1]))) return undefined;
  const exp = m[2] ? 10 ** Number(m[2]) : 1;
  return Number(m[1]) * exp * (QUANTITY_SUFFIX[m[3] ?? ''] ?? 1);
}

function checkResources(path: string, r: TResources | undefined, problems: string[]): void {
  for (const [res, req] of Object.entries(r?.requests ?? {})) {
    const lim = r?.limits?.[res];
    if (lim === undefined) continue;
    const a = parseQuantity(req);
    const b = parseQuantity(lim);
    if (a !== undefined && b !== undefined && a > b)
      problems.push(`${path}.requests.${res} (${req}) exceeds ${path}.limits.${res} (${lim})`);
  }
}

/**
 * Parses a raw PmsInstance (as read from the API server) into the defaulted form and checks
 * what the CRD cannot: env names the operator owns, requests above limits.
 * Throws InvalidSpecError with every problem listed.
 */
export function parseInstance(raw: {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
  };
  spec?: unknown;
}): PmsInstance {
  const parsed = ZPmsInstanceSpecSchema.safeParse(raw.spec ?? {});
  if (!parsed.success) {
    throw new InvalidSpecError(
      parsed.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const spec = parsed.data;
  const problems: string[] = [];
  for (const c of ['backend', 'frontend', 'worker'] as const) {
    for (const e of spec[c].env) {
      if ((RESERVED_ENV as readonly string[]).includes(e.name))
        problems.push(`spec.${c}.env: ${e.name} is set by the operator and cannot be overridden`);
    }
    checkResources(`spec.${c}.resources`, spec[c].resources, problems);
  }
  checkResources('spec.mongodb.resources', spec.mongodb.resources, problems);
  checkResources('spec.redis.resources', spec.redis.resources, problems);
  checkResources('spec.objectStorage.resources', spec.objectStorage.resources, problems);
  if (problems.length > 0) throw new InvalidSpecError(problems.join('; '));
  const md = raw.metadata ?? {};
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: md.name ?? '',
      namespace: md.namespace ?? '',
      uid: md.uid ?? '',
      ...(md.generation !== undefined ? { generation: md.generation } : {}),
      ...(md.labels ? { labels: md.labels } : {}),
    },
    spec,
  };
}

// The PmsInstance spec as the operator reads it. The CRD (crds/pmsinstance.yaml) is the user's
// contract and the API server applies its defaults; this zod schema mirrors those defaults so
// that objects built in code (tests, benchmarks) render the same way, and it performs the
// checks the OpenAPI schema and CEL cannot express (see `validateSpec`).
import { z } from 'zod';

export const API_GROUP = 'pms.io';
export const API_VERSION = 'pms.io/v1alpha1';
export const KIND = 'PmsInstance';
export const PLURAL = 'pmsinstances';

const ZQuantity = z.union([z.string(), z.number()]).transform((q) => String(q));

export const ZResourcesSchema = z
  .object({
    requests: z.record(z.string(), ZQuantity).optional(),
    limits: z.record(z.string(), ZQuantity).optional(),
  })
  .prefault({});

const ZEnvVarSchema = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.record(z.string(), z.unknown()).optional(),
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
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

const ZStorageSchema = (size: string) =>
  z
    .object({
      size: ZQuantity.default(size),
      storageClassName: z.string().optional(),
      deleteOnInstanceDelete: z.boolean().default(false),
    })
    .prefault({});

const ZWorkloadSchema = (replicas: number, cpu: string, memory: string, memoryLimit: string) =>
  z
    .object({
      enabled: z.boolean().default(true),
      replicas: z.number().int().min(0).max(20).default(replicas),
      resources: ZResourcesSchema.default({
        requests: { cpu, memory },
        limits: { memory: memoryLimit },
      }),
      env: z.array(ZEnvVarSchema).default([]),
    })
    .prefault({});

/**
 * A HorizontalPodAutoscaler for a Deployment (backend, frontend). While set, the operator
 * leaves the Deployment's `spec.replicas` to the HPA and `replicas` is not used.
 */
export const ZAutoscalingSchema = z
  .object({
    minReplicas: z.number().int().min(1).max(100).default(1),
    maxReplicas: z.number().int().min(1).max(100),
    targetCPUUtilizationPercentage: z.number().int().min(1).max(1000).default(80),
  })
  .refine((a) => a.minReplicas <= a.maxReplicas, {
    message: 'minReplicas must not exceed maxReplicas',
  });

export type TAutoscaling = z.infer<typeof ZAutoscalingSchema>;

const ZScalableWorkloadSchema = (
  replicas: number,
  cpu: string,
  memory: string,
  memoryLimit: string,
) =>
  ZWorkloadSchema(replicas, cpu, memory, memoryLimit)
    .unwrap()
    .extend({ autoscaling: ZAutoscalingSchema.optional() })
    .prefault({});

export const ZPmsInstanceSpecSchema = z.object({
  version: z.string().min(1),
  host: z.string().min(1),
  image: z
    .object({
      registry: z.string().default('ghcr.io/pms'),
      pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
      pullSecrets: z.array(z.object({ name: z.string() })).default([]),
    })
    .prefault({}),
  ingress: z
    .object({
      enabled: z.boolean().default(true),
      className: z.string().optional(),
      annotations: z.record(z.string(), z.string()).default({}),
      tls: z.object({ secretName: z.string().optional() }).prefault({}),
    })
    .prefault({}),
  admin: z.object({ email: z.string().optional() }).prefault({}),
  /** Gateway API instead of the Ingress (the CRD refuses both at once). */
  gateway: z
    .object({
      parentRefs: z
        .array(
          z.object({
            name: z.string(),
            namespace: z.string().optional(),
            sectionName: z.string().optional(),
            port: z.number().int().min(1).max(65535).optional(),
          }),
        )
        .min(1),
      hostnames: z.array(z.string()).optional(),
      namespaceSelector: ZLabelSelectorSchema.optional(),
    })
    .optional(),
  backend: ZScalableWorkloadSchema(1, '100m', '256Mi', '512Mi'),
  frontend: ZScalableWorkloadSchema(1, '50m', '128Mi', '256Mi'),
  worker: ZWorkloadSchema(1, '50m', '192Mi', '384Mi'),
  mongodb: z
    .object({
      version: z.string().default('7.0'),
      /** Unset: mongo:<version> (the renderer composes it, so a version change moves it). */
      image: z.string().optional(),
      replicas: z.union([z.literal(1), z.literal(3)]).default(1),
      storage: ZStorageSchema('10Gi'),
      resources: ZResourcesSchema.default({
        requests: { cpu: '250m', memory: '512Mi' },
        limits: { memory: '1Gi' },
      }),
      external: z.object({ uriSecretRef: ZSecretKeyRefSchema }).optional(),
    })
    .prefault({}),
  redis: z
    .object({
      enabled: z.boolean().default(true),
      image: z.string().default(DEFAULT_REDIS_IMAGE),
      resources: ZResourcesSchema.default({
        requests: { cpu: '50m', memory: '64Mi' },
        limits: { memory: '256Mi' },
      }),
      external: z.object({ urlSecretRef: ZSecretKeyRefSchema }).optional(),
    })
    .prefault({}),
  objectStorage: z
    .object({
      storage: ZStorageSchema('10Gi'),
      image: z.string().default(DEFAULT_MINIO_IMAGE),
      resources: ZResourcesSchema.default({
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { memory: '512Mi' },
      }),
      external: z
        .object({
          endpoint: z.string(),
          region: z.string().default('us-east-1'),
          bucket: z.string(),
          usePathStyle: z.boolean().default(false),
          credentialsSecretRef: z.object({
            name: z.string(),
            accessKeyKey: z.string().default('access-key'),
            secretKeyKey: z.string().default('secret-key'),
          }),
        })
        .optional(),
    })
    .prefault({}),
  backup: z
    .object({
      enabled: z.boolean().default(false),
      schedule: z.string().optional(),
      retention: z.object({ keepLast: z.number().int().min(1).default(7) }).prefault({}),
      destination: z
        .object({
          endpoint: z.string().optional(),
          region: z.string().optional(),
          usePathStyle: z.boolean().optional(),
          credentialsSecretRef: z
            .object({
              name: z.string(),
              accessKeyKey: z.string().default('access-key'),
              secretKeyKey: z.string().default('secret-key'),
            })
            .optional(),
          bucket: z.string().optional(),
          prefix: z.string().optional(),
        })
        .optional(),
    })
    .prefault({}),
  networkPolicy: z
    .object({
      enabled: z.boolean().default(true),
      ingressNamespaceSelector: z
        .object({ matchLabels: z.record(z.string(), z.string()) })
        .default(() => structuredClone(DEFAULT_INGRESS_NAMESPACE_SELECTOR)),
    })
    .prefault({}),
  monitoring: z
    .object({
      enabled: z.boolean().default(false),
      interval: z
        .string()
        .regex(/^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/)
        .default('30s'),
      labels: z.record(z.string(), z.string()).optional(),
      /** Namespaces whose pods may reach the backend's metrics port (Prometheus). */
      namespaceSelector: ZLabelSelectorSchema.default(() =>
        structuredClone(DEFAULT_MONITORING_NAMESPACE_SELECTOR),
      ),
    })
    .prefault({}),
  features: z
    .object({
      registration: z.boolean().default(false),
      fileUpload: z.boolean().default(true),
      notifications: z.boolean().default(true),
    })
    .prefault({}),
  /** Outgoing webhook requests (backend "send test" and worker deliveries). */
  webhooks: z
    .object({
      /** TCP ports webhook targets may use; empty: no egress for webhooks at all. */
      ports: z.array(z.number().int().min(1).max(65535)).default(() => [443, 80]),
      /** Also private (RFC 1918, CGNAT, loopback) targets; link-local stays closed. */
      allowPrivateTargets: z.boolean().default(false),
      /** Internal ranges webhooks may reach although private targets are refused. */
      allowedCIDRs: z.array(z.string()).default(() => []),
    })
    .prefault({}),
  smtp: z
    .object({
      host: z.string(),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z.boolean().default(false),
      from: z.string(),
      user: z.string().optional(),
      passwordSecretRef: ZSecretKeyRefSchema.optional(),
    })
    .optional(),
  /** A new instance starts from this backup (a tenant clone), once (controller/backup-clone.ts). */
  restoreFrom: z
    .object({
      backupRef: z.object({ name: z.string(), namespace: z.string().optional() }).optional(),
      objectStorage: z
        .object({
          endpoint: z.string(),
          region: z.string().optional(),
          usePathStyle: z.boolean().optional(),
          bucket: z.string(),
          key: z.string(),
          credentialsSecretRef: z.object({
            name: z.string(),
            accessKeyKey: z.string().default('access-key'),
            secretKeyKey: z.string().default('secret-key'),
          }),
        })
        .optional(),
    })
    .optional(),
  maintenance: z.boolean().default(false),
  paused: z.boolean().default(false),
  /** Everything scaled to zero, backups suspended; PVCs and Secrets kept. */
  hibernate: z.boolean().default(false),
  /** The opt-in for a downgrade or a skipped major (checked by the CRD's CEL rules only). */
  upgrade: z.object({ allowVersion: z.string().optional() }).optional(),
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

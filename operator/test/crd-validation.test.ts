// The API server itself refuses bad PmsInstance specs (OpenAPI schema + CEL rules in
// crds/pmsinstance.yaml) with a message that says what to fix; the samples are accepted; and
// the schema's defaults agree with the operator's (api/spec.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseInstance } from '../src/api/spec.ts';
import { driftPaths } from '../src/controller/drift.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
} from './support/operator-kubeconfig.ts';
import { parse } from 'yaml';
import { crdPath, installCrd, instance, readSample } from './support/pms.ts';

const kc = adminKubeConfig();
const client = KubernetesObjectApi.makeApiClient(kc);
let ns = '';

type Spec = Record<string, unknown>;
interface Schema {
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
}

interface ApiError {
  code?: number;
  body?: unknown;
}

/** The Status message of an API error (the body is JSON text or an already parsed object). */
function statusMessage(err: ApiError): string {
  let body = err.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return body as string;
    }
  }
  return String((body as { message?: unknown } | undefined)?.message ?? JSON.stringify(body));
}

async function refused(obj: KubernetesObject, expected: string[]): Promise<void> {
  await assert.rejects(client.create(obj), (err: ApiError) => {
    const body = statusMessage(err);
    assert.equal(err.code, 422, `expected 422, got ${err.code}: ${body}`);
    for (const e of expected) assert.ok(body.includes(e), `message lacks "${e}": ${body}`);
    return true;
  });
}

const bad: [string, Spec | (() => KubernetesObject), string[]][] = [
  [
    'webhook allowed range not a CIDR',
    { webhooks: { allowedCIDRs: ['10.0.0.0/33'] } },
    ['spec.webhooks.allowedCIDRs entries must be a CIDR'],
  ],
  [
    'webhook port 0',
    { webhooks: { ports: [0] } },
    ['spec.webhooks.ports[0]', 'greater than or equal to 1'],
  ],
  ['version is required', { version: undefined }, ['spec.version: Required value']],
  ['host is required', { host: undefined }, ['spec.host: Required value']],
  [
    'host with a scheme',
    { host: 'https://pms.example.com' },
    ['spec.host must be a lowercase DNS name'],
  ],
  ['host with upper case', { host: 'PMS.example.com' }, ['spec.host must be a lowercase DNS name']],
  ['host with a port', { host: 'pms.example.com:443' }, ['spec.host must be a lowercase DNS name']],
  ['version not an image tag', { version: '1.0 beta' }, ['spec.version must be a valid image tag']],
  [
    'backend replicas above 20',
    { backend: { replicas: 21 } },
    ['spec.backend.replicas', 'less than or equal to 20'],
  ],
  [
    'negative frontend replicas',
    { frontend: { replicas: -1 } },
    ['spec.frontend.replicas', 'greater than or equal to 0'],
  ],
  [
    'mongodb replicas 2',
    { mongodb: { replicas: 2 } },
    ['spec.mongodb.replicas must be 1 (standalone) or 3 (replica set)'],
  ],
  [
    'mongodb external and in-cluster',
    { mongodb: { version: '7.0', external: { uriSecretRef: { name: 'm', key: 'uri' } } } },
    ['spec.mongodb.external excludes the in-cluster fields'],
  ],
  [
    'object storage external and in-cluster',
    {
      objectStorage: {
        storage: { size: '5Gi' },
        external: {
          endpoint: 'https://s3.example.com',
          bucket: 'abc',
          credentialsSecretRef: { name: 's' },
        },
      },
    },
    ['spec.objectStorage.external excludes the in-cluster fields'],
  ],
  [
    'redis external while disabled',
    {
      redis: { enabled: false, external: { urlSecretRef: { name: 'r', key: 'url' } } },
      worker: { enabled: false },
    },
    ['spec.redis.external needs spec.redis.enabled=true'],
  ],
  ['worker without redis', { redis: { enabled: false } }, ['spec.worker needs Redis']],
  [
    'autoscaling minReplicas above maxReplicas',
    { backend: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } },
    ['spec.backend.autoscaling.minReplicas must not exceed maxReplicas'],
  ],
  [
    'autoscaling without maxReplicas',
    { frontend: { autoscaling: { minReplicas: 2 } } },
    ['spec.frontend.autoscaling.maxReplicas: Required value'],
  ],
  [
    'gateway and ingress at once',
    { gateway: { parentRefs: [{ name: 'public' }] } },
    ['spec.gateway and spec.ingress are alternatives; set spec.ingress.enabled=false'],
  ],
  [
    'gateway without parentRefs',
    { ingress: { enabled: false }, gateway: { parentRefs: [] } },
    ['spec.gateway.parentRefs', 'should have at least 1 items'],
  ],
  [
    'gateway hostname with a scheme',
    {
      ingress: { enabled: false },
      gateway: { parentRefs: [{ name: 'public' }], hostnames: ['https://a.example.com'] },
    },
    ['spec.gateway.hostnames[] must be lowercase DNS names'],
  ],
  [
    'gateway parentRef in a bad namespace',
    {
      ingress: { enabled: false },
      gateway: { parentRefs: [{ name: 'public', namespace: 'A_B' }] },
    },
    ['spec.gateway.parentRefs[].namespace must be a namespace name'],
  ],
  [
    'autoscaling minReplicas 0',
    { frontend: { autoscaling: { minReplicas: 0, maxReplicas: 2 } } },
    ['spec.frontend.autoscaling.minReplicas', 'greater than or equal to 1'],
  ],
  [
    'backup without schedule',
    { backup: { enabled: true } },
    ['spec.backup.enabled=true needs spec.backup.schedule'],
  ],
  [
    'backup schedule not cron',
    { backup: { enabled: true, schedule: 'every night' } },
    ['spec.backup.schedule must be a cron expression'],
  ],
  [
    'storage size not a quantity',
    { mongodb: { storage: { size: 'lots' } } },
    ['storage.size must be a positive quantity'],
  ],
  [
    'storage size zero',
    { objectStorage: { storage: { size: '0' } } },
    ['storage.size must be a positive quantity'],
  ],
  [
    'unknown pull policy',
    { image: { pullPolicy: 'Sometimes' } },
    ['spec.image.pullPolicy', 'Unsupported value: "Sometimes"'],
  ],
  [
    'smtp user without password',
    { smtp: { host: 'smtp.example.com', from: 'a@example.com', user: 'u' } },
    ['spec.smtp.user and spec.smtp.passwordSecretRef must be set together'],
  ],
  [
    'endpoint not a URL',
    {
      objectStorage: {
        external: {
          endpoint: 's3.example.com',
          bucket: 'abc',
          credentialsSecretRef: { name: 's' },
        },
      },
    },
    ['spec.objectStorage.external.endpoint must be an http(s) URL'],
  ],
  [
    'tls without ingress',
    { ingress: { enabled: false, tls: { secretName: 'x' } } },
    ['spec.ingress.tls.secretName needs spec.ingress.enabled=true'],
  ],
  [
    'admin e-mail not an address',
    { admin: { email: 'root' } },
    ['spec.admin.email must be an e-mail address'],
  ],
  [
    'keepLast zero',
    { backup: { retention: { keepLast: 0 } } },
    ['spec.backup.retention.keepLast', 'greater than or equal to 1'],
  ],
  [
    'external mongodb backup without destination',
    {
      mongodb: { external: { uriSecretRef: { name: 'm', key: 'uri' } } },
      backup: { enabled: true, schedule: '@daily' },
    },
    ['spec.backup with an external MongoDB needs spec.backup.destination'],
  ],
  [
    'backup endpoint without credentials',
    { backup: { destination: { endpoint: 'https://s3.example.com' } } },
    [
      'spec.backup.destination.endpoint and spec.backup.destination.credentialsSecretRef must be set together',
    ],
  ],
  // Quantities (CEL isQuantity) in every resources block, integers included.
  ...(['backend', 'frontend', 'worker', 'mongodb', 'redis', 'objectStorage'] as const).flatMap(
    (c): [string, Spec, string[]][] => [
      [
        `${c} request not a quantity`,
        { [c]: { resources: { requests: { cpu: 'lots' } } } },
        [
          `spec.${c}.resources.requests[cpu]`,
          `every value of spec.${c}.resources.requests must be a quantity`,
          'e.g. cpu 500m or memory 256Mi',
        ],
      ],
      [
        `${c} limit not a quantity`,
        { [c]: { resources: { limits: { memory: '1 GB' } } } },
        [`every value of spec.${c}.resources.limits must be a quantity`],
      ],
    ],
  ),
  [
    'negative limit',
    { backend: { resources: { limits: { memory: '-1Gi' } } } },
    ['every value of spec.backend.resources.limits must be a quantity'],
  ],
  [
    'negative integer request',
    { worker: { resources: { requests: { cpu: -2 } } } },
    ['every value of spec.worker.resources.requests must be a quantity'],
  ],
  [
    'object storage size not a quantity',
    { objectStorage: { storage: { size: '10 gigs' } } },
    ['storage.size must be a positive quantity such as 10Gi'],
  ],
  // Kubernetes names (DNS-1123 subdomains) of every referenced Secret, ConfigMap,
  // StorageClass and IngressClass, and Secret keys.
  ...(
    [
      ['ingress.tls.secretName', { ingress: { tls: { secretName: 'Bad_Name' } } }, 'a Secret'],
      ['ingress.className', { ingress: { className: 'Traefik' } }, 'an IngressClass'],
      ['image.pullSecrets[].name', { image: { pullSecrets: [{ name: 'reg cred' }] } }, 'a Secret'],
      [
        'mongodb.storage.storageClassName',
        { mongodb: { storage: { storageClassName: 'fast_ssd' } } },
        'a StorageClass',
      ],
      [
        'objectStorage.storage.storageClassName',
        { objectStorage: { storage: { storageClassName: '-standard' } } },
        'a StorageClass',
      ],
      [
        'mongodb.external.uriSecretRef.name',
        { mongodb: { external: { uriSecretRef: { name: 'Mongo', key: 'uri' } } } },
        'a Secret',
      ],
      [
        'redis.external.urlSecretRef.name',
        { redis: { external: { urlSecretRef: { name: 'redis/url', key: 'url' } } } },
        'a Secret',
      ],
      [
        'objectStorage.external.credentialsSecretRef.name',
        {
          objectStorage: {
            external: {
              endpoint: 'https://s3.example.com',
              bucket: 'abc',
              credentialsSecretRef: { name: 'S3' },
            },
          },
        },
        'a Secret',
      ],
      [
        'backup.destination.credentialsSecretRef.name',
        {
          backup: {
            destination: {
              endpoint: 'https://s3.example.com',
              credentialsSecretRef: { name: 'b_s3' },
            },
          },
        },
        'a Secret',
      ],
      [
        'smtp.passwordSecretRef.name',
        {
          smtp: {
            host: 'smtp.example.com',
            from: 'a@example.com',
            user: 'u',
            passwordSecretRef: { name: 'SMTP', key: 'password' },
          },
        },
        'a Secret',
      ],
      [
        'backend.env[].valueFrom.secretKeyRef.name',
        {
          backend: {
            env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'My_Secret', key: 'k' } } }],
          },
        },
        'a Secret',
      ],
      [
        'worker.env[].valueFrom.configMapKeyRef.name',
        {
          worker: {
            env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'Cfg', key: 'k' } } }],
          },
        },
        'a ConfigMap',
      ],
    ] as [string, Spec, string][]
  ).map(([field, spec, what]): [string, Spec, string[]] => [
    `${field} not a name`,
    spec,
    [`spec.${field} must be ${what} name`, 'lowercase letters, digits'],
  ]),
  [
    'secret key with a slash',
    { mongodb: { external: { uriSecretRef: { name: 'mongo', key: 'a/uri' } } } },
    ['spec.mongodb.external.uriSecretRef.key must be a key of a Secret or ConfigMap'],
  ],
  [
    'frontend configMapKeyRef key with a space',
    {
      frontend: { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'c', key: 'a b' } } }] },
    },
    ['spec.frontend.env[].valueFrom.configMapKeyRef.key must be a key of a Secret or ConfigMap'],
  ],
  [
    'objectStorage external credentials key',
    {
      objectStorage: {
        external: {
          endpoint: 'https://s3.example.com',
          bucket: 'abc',
          credentialsSecretRef: { name: 's3', accessKeyKey: 'access key' },
        },
      },
    },
    ['spec.objectStorage.external.credentialsSecretRef.accessKeyKey must be a key'],
  ],
  // Images of the in-cluster data stores.
  [
    'redis image with a space',
    { redis: { image: 'redis 7' } },
    ['spec.redis.image must be an image reference'],
  ],
  [
    'mongodb image with a scheme',
    { mongodb: { image: 'https://registry.example.com/mongo:7.0' } },
    ['spec.mongodb.image must be an image reference'],
  ],
  [
    'minio image empty',
    { objectStorage: { image: '' } },
    ['spec.objectStorage.image must be an image reference'],
  ],
  [
    'redis image with an external redis',
    { redis: { image: 'redis:7', external: { urlSecretRef: { name: 'r', key: 'url' } } } },
    ['spec.redis.external excludes the in-cluster fields (image, resources)'],
  ],
  [
    'mongodb image with an external mongodb',
    { mongodb: { image: 'mongo:7.0', external: { uriSecretRef: { name: 'm', key: 'uri' } } } },
    ['spec.mongodb.external excludes the in-cluster fields (version, image'],
  ],
  [
    'minio image with external object storage',
    {
      objectStorage: {
        image: 'minio/minio:latest',
        external: {
          endpoint: 'https://s3.example.com',
          bucket: 'abc',
          credentialsSecretRef: { name: 's' },
        },
      },
    },
    ['spec.objectStorage.external excludes the in-cluster fields (image, storage, resources)'],
  ],
  [
    'restoreFrom with both sources',
    {
      restoreFrom: {
        backupRef: { name: 'nightly' },
        objectStorage: {
          endpoint: 'https://s3.example.com',
          bucket: 'backups',
          key: 'backups/acme/20261125T030000000Z.archive.gz',
          credentialsSecretRef: { name: 's3' },
        },
      },
    },
    ['spec.restoreFrom needs exactly one of backupRef and objectStorage'],
  ],
  [
    'restoreFrom with no source',
    { restoreFrom: {} },
    ['exactly one of backupRef and objectStorage'],
  ],
  [
    'restoreFrom key that is not an archive',
    {
      restoreFrom: {
        objectStorage: {
          endpoint: 'https://s3.example.com',
          bucket: 'backups',
          key: '../other/secret.txt',
          credentialsSecretRef: { name: 's3' },
        },
      },
    },
    ['spec.restoreFrom.objectStorage.key must be a pms-backup archive key'],
  ],
  [
    'restoreFrom endpoint without scheme, bad bucket',
    {
      restoreFrom: {
        objectStorage: {
          endpoint: 's3.example.com',
          bucket: 'Bad_Bucket',
          key: 'backups/acme/20261125T030000000Z.archive.gz',
          credentialsSecretRef: { name: 's3' },
        },
      },
    },
    [
      'spec.restoreFrom.objectStorage.endpoint must be an http(s) URL',
      'spec.restoreFrom.objectStorage.bucket must be an S3 bucket name',
    ],
  ],
  [
    'restoreFrom backupRef with a bad namespace',
    { restoreFrom: { backupRef: { name: 'nightly', namespace: 'Tenant_A' } } },
    ['spec.restoreFrom.backupRef.namespace must be a namespace name'],
  ],
  [
    'name longer than 40 characters',
    () => instance(ns, 'a'.repeat(41), {}),
    ['metadata.name must be at most 40 characters'],
  ],
];

// Updates refused by transition rules: [what, initial spec, patch, expected].
const badUpdates: [string, Spec, Spec, string[]][] = [
  [
    'restoreFrom added to an existing instance',
    {},
    { restoreFrom: { backupRef: { name: 'nightly' } } },
    [
      'spec.restoreFrom is set when the instance is created and cannot be added, changed or removed',
    ],
  ],
  [
    'restoreFrom changed',
    { restoreFrom: { backupRef: { name: 'nightly' } } },
    { restoreFrom: { backupRef: { name: 'weekly' } } },
    ['spec.restoreFrom is set when the instance is created'],
  ],
  [
    'restoreFrom removed',
    { restoreFrom: { backupRef: { name: 'nightly' } } },
    { restoreFrom: null },
    ['spec.restoreFrom is set when the instance is created'],
  ],
  [
    'storage shrinks',
    { mongodb: { storage: { size: '20Gi' } } },
    { mongodb: { storage: { size: '10Gi' } } },
    ['storage.size may grow but never shrink'],
  ],
  [
    'storage class changes',
    { objectStorage: { storage: { storageClassName: 'a' } } },
    { objectStorage: { storage: { storageClassName: 'b' } } },
    ['storage.storageClassName is immutable'],
  ],
  [
    'mongodb switches to external',
    {},
    { mongodb: { external: { uriSecretRef: { name: 'm', key: 'uri' } } } },
    ['spec.mongodb.external is immutable'],
  ],
  [
    'mongodb replica set back to standalone',
    { mongodb: { replicas: 3 } },
    { mongodb: { replicas: 1 } },
    ['cannot go from 3 back to 1'],
  ],
  // A missing field means the operator's default: removing it must not bypass a rule.
  [
    'mongodb replica set loses its replicas field',
    { mongodb: { replicas: 3 } },
    { mongodb: { replicas: null } },
    ['cannot go from 3 back to 1'],
  ],
  [
    'mongodb replica set loses its whole section',
    { mongodb: { replicas: 3 } },
    { mongodb: null },
    ['cannot go from 3 back to 1'],
  ],
  [
    'storage removed after growing',
    { mongodb: { storage: { size: '20Gi' } } },
    { mongodb: { storage: null } },
    ['storage.size may grow but never shrink'],
  ],
  [
    'storage added below the default',
    {},
    { objectStorage: { storage: { size: '5Gi' } } },
    ['storage.size may grow but never shrink'],
  ],
  [
    'storage removed with its class',
    { objectStorage: { storage: { storageClassName: 'a' } } },
    { objectStorage: { storage: null } },
    ['storage.storageClassName is immutable'],
  ],
  [
    'storage class added later',
    {},
    { mongodb: { storage: { storageClassName: 'b' } } },
    ['storage.storageClassName is immutable'],
  ],
];

/** Updates the rules must still allow (omitted fields compared as their defaults). */
const goodUpdates: [string, Spec, Spec][] = [
  [
    'standalone loses its replicas field',
    { mongodb: { replicas: 1 } },
    { mongodb: { replicas: null } },
  ],
  ['standalone becomes a replica set', {}, { mongodb: { replicas: 3 } }],
  ['default storage written out', {}, { mongodb: { storage: { size: '10Gi' } } }],
  ['storage grows from the default', {}, { objectStorage: { storage: { size: '20Gi' } } }],
];

describe('PmsInstance CRD validation (real API server)', () => {
  before(async () => {
    await installCrd(kc);
    ns = await createTestNamespace(kc, 'crd');
  });
  after(async () => {
    await deleteTestNamespace(kc, ns);
  });

  it(`refuses ${bad.length} bad specs with a message saying what to fix`, async () => {
    assert.ok(bad.length >= 15);
    for (const [what, spec, expected] of bad) {
      const obj: KubernetesObject & { spec?: Spec } =
        typeof spec === 'function'
          ? spec()
          : instance(ns, `bad-${bad.findIndex((b) => b[0] === what)}`, {});
      if (typeof spec !== 'function') {
        const s = obj.spec as Spec;
        for (const [k, v] of Object.entries(spec)) {
          if (v === undefined) delete s[k];
          else s[k] = v;
        }
      }
      await refused(obj, expected).catch((err: Error) => {
        throw new Error(`${what}: ${err.message}`);
      });
    }
  });

  it('refuses updates that shrink storage, change immutable fields or leave a replica set', async () => {
    for (const [n, [what, initial, patch, expected]] of badUpdates.entries()) {
      const name = `upd-${n}`;
      await client.create(instance(ns, name, initial));
      const update = { ...instance(ns, name, patch) };
      await assert.rejects(
        client.patch(update, undefined, undefined, 'pms-test', undefined, PatchStrategy.MergePatch),
        (err: ApiError) => {
          const body = statusMessage(err);
          assert.equal(err.code, 422, `${what}: ${body}`);
          for (const e of expected)
            assert.ok(body.includes(e), `${what}: message lacks "${e}": ${body}`);
          return true;
        },
      );
    }
    for (const [n, [what, initial, patch]] of goodUpdates.entries()) {
      const name = `ok-${n}`;
      await client.create(instance(ns, name, initial));
      await client
        .patch(
          instance(ns, name, patch),
          undefined,
          undefined,
          'pms-test',
          undefined,
          PatchStrategy.MergePatch,
        )
        .catch((err: ApiError) => {
          throw new Error(`${what}: ${statusMessage(err)}`);
        });
    }
    // Growing storage is allowed.
    await client.create(instance(ns, 'grow', { mongodb: { storage: { size: '10Gi' } } }));
    await client.patch(
      instance(ns, 'grow', { mongodb: { storage: { size: '20Gi' } } }),
      undefined,
      undefined,
      'pms-test',
      undefined,
      PatchStrategy.MergePatch,
    );
  });

  it('accepts quantities, names and images in every valid form (server-side dry run)', async () => {
    const resources = {
      requests: { cpu: '250m', memory: '512Mi', 'ephemeral-storage': '1G' },
      limits: { cpu: 2, memory: '1.5Gi', 'nvidia.com/gpu': 1 },
    };
    const good = instance(ns, 'good', {
      image: { pullSecrets: [{ name: 'regcred' }] },
      ingress: { className: 'traefik', tls: { secretName: 'acme.example.com-tls' } },
      backend: {
        resources,
        env: [
          { name: 'A', valueFrom: { secretKeyRef: { name: 'extra', key: 'api_key.v1' } } },
          {
            name: 'B',
            valueFrom: { configMapKeyRef: { name: 'settings', key: 'b', optional: true } },
          },
          { name: 'C', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
      },
      frontend: { resources },
      worker: { resources },
      mongodb: {
        image: 'registry.example.com:5000/mirror/mongo:7.0.14@sha256:' + 'a'.repeat(64),
        storage: { size: '2e10', storageClassName: 'fast.ssd' },
        resources,
      },
      redis: { image: 'localhost/pms/redis:7', resources },
      objectStorage: { image: 'localhost/pms/minio:2025', storage: { size: '100Gi' }, resources },
    });
    const created = (await client.create(good, undefined, 'All')) as KubernetesObject & {
      spec: Spec;
    };
    // Declared sub-fields of valueFrom do not prune the others (optional, fieldRef).
    assert.deepEqual(
      (created.spec.backend as { env: unknown[] }).env,
      (good.spec as { backend: { env: unknown[] } }).backend.env,
    );
  });

  it('accepts every sample (server-side dry run)', async () => {
    for (const file of [
      '00-local.yaml',
      '01-minimal.yaml',
      '02-production.yaml',
      '03-external-databases.yaml',
      '06-autoscaling.yaml',
      '07-hibernate.yaml',
      '08-gateway.yaml',
      '09-clone.yaml',
      '10-upgrade.yaml',
    ]) {
      for (const obj of readSample(file)) {
        obj.metadata = { ...obj.metadata, namespace: ns };
        const created = await client.create(obj, undefined, 'All');
        assert.equal(created.metadata?.name, obj.metadata.name, file);
      }
    }
  });

  it('describes every field of the schema', () => {
    const crd = parse(readFileSync(crdPath, 'utf8')) as {
      spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
    };
    const missing: string[] = [];
    const walk = (node: Schema, path: string) => {
      for (const [k, v] of Object.entries(node.properties ?? {})) {
        const p = `${path}.${k}`;
        if (!['apiVersion', 'kind', 'metadata'].includes(k) && !v.description) missing.push(p);
        walk(v, p);
      }
      if (node.items) walk(node.items, `${path}[]`);
      if (typeof node.additionalProperties === 'object')
        walk(node.additionalProperties, `${path}{}`);
    };
    walk(crd.spec.versions[0]?.schema.openAPIV3Schema ?? {}, '');
    assert.deepEqual(missing, []);
  });

  it("applies defaults that agree with the operator's", async () => {
    const created = (await client.create(instance(ns, 'defaults', {}))) as KubernetesObject & {
      spec: Spec;
    };
    assert.ok(Object.keys(created.spec).length > 5, JSON.stringify(created.spec));
    const ours = parseInstance(instance(ns, 'defaults', {})).spec;
    assert.deepEqual(driftPaths(created.spec, ours), []);
    assert.equal(created.spec.paused, false);
    assert.deepEqual(created.spec.networkPolicy, {
      enabled: true,
      ingressNamespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } },
    });
  });
});

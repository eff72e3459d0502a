// Integration tests run under the operator's own RBAC: this applies config/rbac (renamed per
// test namespace so parallel suites never collide), mints a token for the operator's
// ServiceAccount with the TokenRequest API, and returns a KubeConfig authenticated as it.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { Applier, testEnv, type KubeObject } from '@pms/testenv';

export const rbacDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../config/rbac');

/** The admin kubeconfig of the test cluster (fails with instructions when it is not up). */
export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv('kube').kubeconfig);
  return kc;
}

/** Creates a uniquely named namespace; returns its name. */
export async function createTestNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteTestNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 404) throw err;
  }
}

/** config/rbac's objects as written (kustomization.yaml excluded). */
export function rbacObjects(): KubernetesObject[] {
  return readdirSync(rbacDir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(rbacDir, f), 'utf8')).map(
        (d) => d.toJS() as KubernetesObject,
      ),
    )
    .filter((o) => o && o.kind);
}

type Rbac = KubernetesObject & {
  roleRef?: { name: string };
  subjects?: Array<{ namespace?: string }>;
};

/**
 * config/rbac with the ServiceAccount and leader-election Role in `namespace` and the
 * cluster-scoped names suffixed with it.
 */
export function rbacFor(namespace: string): KubernetesObject[] {
  const clusterName = `pms-operator-${namespace}`;
  return rbacObjects().map((o) => {
    const obj = structuredClone(o) as Rbac;
    const meta = (obj.metadata ??= {});
    if (obj.kind === 'ClusterRole' || obj.kind === 'ClusterRoleBinding') meta.name = clusterName;
    else meta.namespace = namespace;
    if (obj.kind === 'ClusterRoleBinding' && obj.roleRef) obj.roleRef.name = clusterName;
    for (const s of obj.subjects ?? []) s.namespace = namespace;
    return obj;
  });
}

export interface OperatorIdentity {
  /** Authenticated as the operator's ServiceAccount. */
  kc: KubeConfig;
  serviceAccount: { namespace: string; name: string };
  /** Removes the cluster-scoped RBAC objects (the namespace holds the rest). */
  cleanup(): Promise<void>;
}

/** A KubeConfig for `admin`'s cluster that presents `token`. */
export function tokenKubeConfig(admin: KubeConfig, token: string, user = 'token'): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'test' }],
    users: [{ name: user, token }],
    contexts: [{ name: 'test', cluster: 'test', user }],
    currentContext: 'test',
  });
  return kc;
}

/**
 * Applies config/rbac for `namespace` as admin and returns a KubeConfig authenticated as the
 * operator's ServiceAccount there. Waits until RBAC answers for the new binding.
 */
export async function operatorKubeConfig(
  admin: KubeConfig,
  namespace: string,
): Promise<OperatorIdentity> {
  const objects = rbacFor(namespace);
  // config/rbac as written (raw JSON: the typed client would drop fields it does not know).
  const applier = await Applier.fromKubeconfig(admin);
  const client = KubernetesObjectApi.makeApiClient(admin);
  for (const obj of objects) await applier.apply(obj as KubeObject, { fieldManager: 'pms-test' });
  const sa = objects.find((o) => o.kind === 'ServiceAccount');
  const name = sa?.metadata?.name ?? 'pms-operator';
  const tr = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error('TokenRequest returned no token');
  const kc = tokenKubeConfig(admin, token, `system:serviceaccount:${namespace}:${name}`);
  // The RBAC authorizer sees new bindings through an informer: wait until it does.
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await authz.createSelfSubjectAccessReview({
      body: {
        spec: {
          resourceAttributes: {
            namespace,
            verb: 'create',
            resource: 'leases',
            group: 'coordination.k8s.io',
          },
        },
      },
    });
    const r2 = await authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { namespace, verb: 'watch', resource: 'secrets' } } },
    });
    if (r.status?.allowed && r2.status?.allowed) break;
    if (Date.now() > deadline) throw new Error('RBAC for the operator never became effective');
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    kc,
    serviceAccount: { namespace, name },
    cleanup: async () => {
      for (const obj of objects.filter((o) => !o.metadata?.namespace)) {
        try {
          await client.delete(obj);
        } catch (err) {
          if ((err as { code?: unknown }).code !== 404) throw err;
        }
      }
    },
  };
}

// The PmsInstance controller end to end against the real API server, under the operator's own
// RBAC, through a request-counting proxy: the minimal sample gets every child, owner refs and
// labels; status reaches Ready once kwok reports pods ready; spec changes flow to children;
// drift is repaired; the steady state writes nothing; Secrets survive a restart byte for byte;
// paused stops changes; deleting the instance garbage-collects children but keeps PVCs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { createLogger } from '../src/log.ts';
import { startOperator, type RunningOperator } from '../src/operator.ts';
import { startCountingProxy, type CountingProxy } from './support/counting-proxy.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
  type OperatorIdentity,
} from './support/operator-kubeconfig.ts';
import {
  deleteVolumes,
  eventually,
  installCrd,
  provideVolumes,
  rawRequest,
  readSample,
  sleep,
} from './support/pms.ts';

const admin = adminKubeConfig();
const client = KubernetesObjectApi.makeApiClient(admin);
let ns = '';
let identity: OperatorIdentity;
let proxy: CountingProxy;
let operator: RunningOperator | undefined;

type Obj = KubernetesObject & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
};

const start = () =>
  startOperator({
    kubeConfig: proxy.kc,
    namespace: ns,
    leaderElection: false,
    resyncMs: 1000,
    processMetrics: false,
    controllers: [pmsInstanceController],
    log: createLogger('warn'),
  });

async function read(apiVersion: string, kind: string, name: string): Promise<Obj | undefined> {
  try {
    return (await client.read({ apiVersion, kind, metadata: { name, namespace: ns } })) as Obj;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

const readInstance = (name: string) => read('pms.io/v1alpha1', 'PmsInstance', name);

async function mergePatch(apiVersion: string, kind: string, name: string, patch: object) {
  await client.patch(
    { apiVersion, kind, metadata: { name, namespace: ns }, ...patch },
    undefined,
    undefined,
    'pms-test',
    undefined,
    PatchStrategy.MergePatch,
  );
}

type Condition = { type: string; status: string; reason: string; observedGeneration?: number };
const condition = (o: Obj | undefined, type: string) =>
  (o?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

async function waitReady(name: string, timeoutMs = 90_000): Promise<Obj> {
  return eventually(
    `${name} Ready`,
    async () => {
      const o = await readInstance(name);
      const ready = condition(o, 'Ready');
      return ready?.status === 'True' &&
        o?.status?.observedGeneration === o?.metadata?.generation &&
        o?.status?.phase === 'Ready'
        ? o
        : undefined;
    },
    timeoutMs,
  );
}

const retained = new Set(['demo-mongodb', 'demo-minio', 'demo-admin']);
const children: [string, string, string][] = [
  ['v1', 'Secret', 'demo-mongodb'],
  ['v1', 'Secret', 'demo-redis'],
  ['v1', 'Secret', 'demo-minio'],
  ['v1', 'Secret', 'demo-jwt'],
  ['v1', 'Secret', 'demo-admin'],
  ['v1', 'ConfigMap', 'demo-config'],
  ['v1', 'ConfigMap', 'demo-mongodb-scripts'],
  ['v1', 'Service', 'demo-backend'],
  ['v1', 'Service', 'demo-frontend'],
  ['v1', 'Service', 'demo-mongodb-headless'],
  ['v1', 'Service', 'demo-redis'],
  ['v1', 'Service', 'demo-minio'],
  ['apps/v1', 'StatefulSet', 'demo-mongodb'],
  ['apps/v1', 'StatefulSet', 'demo-minio'],
  ['apps/v1', 'Deployment', 'demo-backend'],
  ['apps/v1', 'Deployment', 'demo-frontend'],
  ['apps/v1', 'Deployment', 'demo-worker'],
  ['apps/v1', 'Deployment', 'demo-redis'],
  ['batch/v1', 'Job', 'demo-minio-bucket'],
  ['networking.k8s.io/v1', 'Ingress', 'demo-ingress'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'demo-default-deny'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'demo-allow-dns'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'demo-backend'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'demo-mongodb'],
];

describe('PmsInstance controller: the minimal sample', () => {
  let uid = '';
  before(async () => {
    await installCrd(admin);
    ns = await createTestNamespace(admin, 'inst');
    identity = await operatorKubeConfig(admin, ns);
    proxy = await startCountingProxy(admin, identity.kc.getCurrentUser()?.token ?? '');
    await provideVolumes(admin, ns, [
      { name: 'data-demo-mongodb-0', size: '10Gi' },
      { name: 'data-demo-minio-0', size: '10Gi' },
    ]);
    operator = await start();
  });
  after(async () => {
    await operator?.stop();
    await proxy?.close();
    await deleteTestNamespace(admin, ns);
    await identity?.cleanup();
    await deleteVolumes(admin, ns);
  });

  it('creates every child with a controller owner reference and the standard labels', async () => {
    for (const obj of readSample('01-minimal.yaml')) {
      obj.metadata = { ...obj.metadata, namespace: ns };
      await client.create(obj);
    }
    uid = (await readInstance('demo'))?.metadata?.uid ?? '';
    assert.ok(uid);
    for (const [apiVersion, kind, name] of children) {
      const o = await eventually(`${kind}/${name}`, () => read(apiVersion, kind, name));
      const owner = o.metadata?.ownerReferences?.find((r) => r.controller);
      if (kind === 'Secret' && retained.has(name)) {
        // Credentials of data that outlives the instance (kept PVCs) are not its dependents.
        assert.equal(owner, undefined, `${name} is retained`);
        assert.ok(o.metadata?.annotations?.['pms.io/retained-with'], name);
      } else {
        assert.equal(owner?.uid, uid, `${kind}/${name} owner`);
        assert.equal(owner?.kind, 'PmsInstance');
      }
      const l = o.metadata?.labels ?? {};
      assert.equal(l['app.kubernetes.io/name'], 'pms', `${kind}/${name}`);
      assert.equal(l['app.kubernetes.io/instance'], 'demo');
      assert.equal(l['app.kubernetes.io/managed-by'], 'pms-operator');
      assert.equal(l['app.kubernetes.io/part-of'], 'pms');
      assert.equal(l['app.kubernetes.io/version'], '0.1.0');
      assert.ok(l['app.kubernetes.io/component'], `${kind}/${name} component`);
    }
  });

  it('renders NetworkPolicies whose ingress rules keep their sources', async () => {
    const res = await rawRequest(
      admin,
      'GET',
      `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/demo-mongodb`,
    );
    const rules = (res.body as { spec: { ingress: { from?: unknown[] }[] } }).spec.ingress;
    assert.equal(rules.length, 1);
    assert.equal(rules[0]?.from?.length, 4, JSON.stringify(rules));
  });

  it('reaches Ready with per-component conditions once the pods are ready', async () => {
    const o = await waitReady('demo');
    for (const type of [
      'BackendReady',
      'FrontendReady',
      'WorkerReady',
      'MongoDBReady',
      'RedisReady',
      'ObjectStorageReady',
    ])
      assert.equal(condition(o, type)?.status, 'True', type);
    assert.equal(o.status?.url, 'http://demo.pms.example.com');
    assert.equal(o.status?.version, '0.1.0');
    assert.deepEqual((o.status?.components as Record<string, unknown>).backend, {
      ready: 1,
      desired: 1,
    });
    assert.equal(condition(o, 'Ready')?.observedGeneration, o.metadata?.generation);
  });

  it('shows Ready, Phase, Version, URL and Age in kubectl get', async () => {
    const res = await rawRequest(
      admin,
      'GET',
      `/apis/pms.io/v1alpha1/namespaces/${ns}/pmsinstances`,
      undefined,
      'application/json',
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    );
    const table = res.body as {
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    assert.deepEqual(
      table.columnDefinitions.map((c) => c.name),
      ['Name', 'Ready', 'Phase', 'Version', 'URL', 'Age'],
    );
    assert.deepEqual(table.rows[0]?.cells.slice(0, 5), [
      'demo',
      'True',
      'Ready',
      '0.1.0',
      'http://demo.pms.example.com',
    ]);
  });

  it('makes zero write calls in the steady state (reconciling every second)', async () => {
    await sleep(1500);
    proxy.reset();
    const reconciles = async () => {
      const c = operator?.metrics.getSingleMetric('pms_operator_reconcile_total') as Counter;
      return (await c.get()).values.reduce((n, v) => n + v.value, 0);
    };
    const before = await reconciles();
    await sleep(6000);
    // Reconciles read their children from the caches: a reconcile is one GET, so count them.
    const n = (await reconciles()) - before;
    assert.ok(n >= 4, `the operator kept reconciling (reconciles: ${n}, reads: ${proxy.reads})`);
    assert.deepEqual(proxy.writes, []);
  });

  it('follows replicas, version and host changes', async () => {
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'demo', {
      spec: { version: '1.1.0', host: 'new.pms.example.com', backend: { replicas: 2 } },
    });
    await eventually('backend at 2 replicas with the new image', async () => {
      const d = await read('apps/v1', 'Deployment', 'demo-backend');
      const c = (d?.spec?.template as { spec: { containers: { image: string }[] } }).spec
        .containers[0];
      return d?.spec?.replicas === 2 && c?.image === 'ghcr.io/pms/pms-backend:1.1.0';
    });
    await eventually('a PodDisruptionBudget for the backend', () =>
      read('policy/v1', 'PodDisruptionBudget', 'demo-backend'),
    );
    const ing = await eventually('the ingress on the new host', async () => {
      const i = await read('networking.k8s.io/v1', 'Ingress', 'demo-ingress');
      return (i?.spec?.rules as { host: string }[] | undefined)?.[0]?.host === 'new.pms.example.com'
        ? i
        : undefined;
    });
    assert.ok(ing);
    const cm = await read('v1', 'ConfigMap', 'demo-config');
    assert.equal(cm?.data?.FRONTEND_URL, 'http://new.pms.example.com');
    const o = await waitReady('demo');
    assert.equal(o.status?.version, '1.1.0');
    assert.equal(o.status?.url, 'http://new.pms.example.com');
    // Back to one replica: the PDB is pruned.
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'demo', {
      spec: { backend: { replicas: 1 } },
    });
    await eventually(
      'the backend PDB pruned',
      async () => (await read('policy/v1', 'PodDisruptionBudget', 'demo-backend')) === undefined,
    );
  });

  it('restores a deleted child and reverts a hand edit', async () => {
    const before = await read('v1', 'Service', 'demo-backend');
    await client.delete({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'demo-backend', namespace: ns },
    });
    await eventually('the backend Service back', async () => {
      const s = await read('v1', 'Service', 'demo-backend');
      return s && s.metadata?.uid !== before?.metadata?.uid ? s : undefined;
    });
    await mergePatch('apps/v1', 'Deployment', 'demo-frontend', { spec: { replicas: 5 } });
    await eventually(
      'frontend replicas reverted',
      async () => (await read('apps/v1', 'Deployment', 'demo-frontend'))?.spec?.replicas === 1,
    );
    await mergePatch('v1', 'ConfigMap', 'demo-config', { data: { MAINTENANCE_MODE: 'true' } });
    await eventually(
      'config reverted',
      async () =>
        (await read('v1', 'ConfigMap', 'demo-config'))?.data?.MAINTENANCE_MODE === 'false',
    );
  });

  it('keeps generated Secrets byte for byte across an operator restart', async () => {
    const names = ['demo-mongodb', 'demo-redis', 'demo-minio', 'demo-jwt', 'demo-admin'];
    const beforeData = await Promise.all(
      names.map(async (n) => (await read('v1', 'Secret', n))?.data),
    );
    for (const d of beforeData) assert.ok(d && Object.keys(d).length > 0);
    await operator?.stop();
    operator = await start();
    // A change makes sure the new process has reconciled since it started.
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'demo', { spec: { maintenance: true } });
    await eventually(
      'maintenance mode applied',
      async () => (await read('v1', 'ConfigMap', 'demo-config'))?.data?.MAINTENANCE_MODE === 'true',
    );
    const afterData = await Promise.all(
      names.map(async (n) => (await read('v1', 'Secret', n))?.data),
    );
    assert.deepEqual(afterData, beforeData);
    // Credentials look generated by a CSPRNG: long and all different.
    const passwords = beforeData.map((d) =>
      Buffer.from(d?.password ?? d?.['secret-key'] ?? d?.secret ?? '', 'base64').toString(),
    );
    assert.equal(new Set(passwords).size, passwords.length);
    for (const p of passwords) assert.ok(p.length >= 24, p);
  });

  it('stops changing children while paused', async () => {
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'demo', { spec: { paused: true } });
    await eventually(
      'phase Paused',
      async () => (await readInstance('demo'))?.status?.phase === 'Paused',
    );
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'demo', {
      spec: { worker: { replicas: 3 } },
    });
    // The only write a paused instance gets: its status acknowledging the new generation.
    await eventually('the paused status observes the change', async () => {
      const o = await readInstance('demo');
      return (
        o?.status?.phase === 'Paused' && o.status.observedGeneration === o.metadata?.generation
      );
    });
    proxy.reset();
    await client.delete({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'demo-frontend', namespace: ns },
    });
    await sleep(4000);
    assert.equal((await read('apps/v1', 'Deployment', 'demo-worker'))?.spec?.replicas, 1);
    assert.equal(await read('v1', 'Service', 'demo-frontend'), undefined);
    assert.deepEqual(proxy.writes, []);
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'demo', { spec: { paused: false } });
    await eventually(
      'worker scaled after unpausing',
      async () => (await read('apps/v1', 'Deployment', 'demo-worker'))?.spec?.replicas === 3,
    );
    await eventually('frontend Service restored', () => read('v1', 'Service', 'demo-frontend'));
  });

  it('garbage-collects children on deletion, keeps PVCs and their credentials', async () => {
    await eventually('PVCs bound', async () => {
      const c = await read('v1', 'PersistentVolumeClaim', 'data-demo-mongodb-0');
      return (c?.status as { phase?: string } | undefined)?.phase === 'Bound';
    });
    await client.delete({
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsInstance',
      metadata: { name: 'demo', namespace: ns },
    });
    const kept = async () =>
      Promise.all([...retained].map(async (n) => (await read('v1', 'Secret', n))?.data));
    const keptBefore = await kept();
    for (const [apiVersion, kind, name] of children) {
      if (kind === 'Secret' && retained.has(name)) continue;
      await eventually(
        `${kind}/${name} collected`,
        async () => (await read(apiVersion, kind, name)) === undefined,
        60_000,
      );
    }
    for (const pvc of ['data-demo-mongodb-0', 'data-demo-minio-0']) {
      const c = await read('v1', 'PersistentVolumeClaim', pvc);
      assert.ok(c, `${pvc} kept`);
      assert.equal(c.metadata?.deletionTimestamp, undefined);
    }
    assert.deepEqual(await kept(), keptBefore);
    // Recreated, the instance finds its data and the credentials that open it.
    for (const obj of readSample('01-minimal.yaml')) {
      obj.metadata = { ...obj.metadata, namespace: ns };
      await client.create(obj);
    }
    await waitReady('demo');
    assert.deepEqual(await kept(), keptBefore);
    assert.ok(await read('v1', 'Secret', 'demo-jwt'));
  });
});

// The production and external-databases samples, invalid specs the schema cannot catch, the
// PVC retention rule when deletion is asked for, and volume growth, against the real API
// server under the operator's own RBAC.
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
  instance,
  provideVolumes,
  rawRequest,
  readSample,
  sleep,
} from './support/pms.ts';

const admin = adminKubeConfig();
const client = KubernetesObjectApi.makeApiClient(admin);
let ns = '';
let identity: OperatorIdentity;
let operator: RunningOperator | undefined;
let proxy: CountingProxy | undefined;
let storageClass = '';

type Obj = KubernetesObject & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
};
type Condition = { type: string; status: string; reason: string; message: string };

async function read(apiVersion: string, kind: string, name: string): Promise<Obj | undefined> {
  try {
    return (await client.read({ apiVersion, kind, metadata: { name, namespace: ns } })) as Obj;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}
const readInstance = (name: string) => read('pms.io/v1alpha1', 'PmsInstance', name);
const condition = (o: Obj | undefined, type: string) =>
  (o?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

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

async function applySample(file: string): Promise<void> {
  for (const obj of readSample(file)) {
    obj.metadata = { ...obj.metadata, namespace: ns };
    await client.create(obj);
  }
}

const waitReady = (name: string) =>
  eventually(
    `${name} Ready`,
    async () => {
      const o = await readInstance(name);
      return condition(o, 'Ready')?.status === 'True' &&
        o?.status?.observedGeneration === o?.metadata?.generation
        ? o
        : undefined;
    },
    120_000,
  );

describe('PmsInstance controller: samples and edge cases', () => {
  before(async () => {
    await installCrd(admin);
    ns = await createTestNamespace(admin, 'samples');
    identity = await operatorKubeConfig(admin, ns);
    storageClass = `${ns}-expandable`;
    const sc = await rawRequest(admin, 'POST', '/apis/storage.k8s.io/v1/storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: storageClass, labels: { 'pms-test/namespace': ns } },
      provisioner: 'example.com/static',
      allowVolumeExpansion: true,
      volumeBindingMode: 'Immediate',
    });
    assert.ok(sc.status < 300, JSON.stringify(sc.body));
    proxy = await startCountingProxy(admin, identity.kc.getCurrentUser()?.token ?? '');
    operator = await startOperator({
      kubeConfig: proxy.kc,
      namespace: ns,
      leaderElection: false,
      resyncMs: 1000,
      processMetrics: false,
      controllers: [pmsInstanceController],
      log: createLogger('error'),
    });
  });
  after(async () => {
    await operator?.stop();
    await proxy?.close();
    await deleteTestNamespace(admin, ns);
    await identity?.cleanup();
    await deleteVolumes(admin, ns);
    await rawRequest(admin, 'DELETE', `/apis/storage.k8s.io/v1/storageclasses/${storageClass}`);
  });

  it('runs the production sample: replica set, PDBs, TLS ingress, monitoring', async () => {
    await provideVolumes(admin, ns, [
      ...[0, 1, 2].map((n) => ({
        name: `data-acme-mongodb-${n}`,
        size: '50Gi',
        storageClassName: 'standard',
      })),
      { name: 'data-acme-minio-0', size: '100Gi', storageClassName: 'standard' },
    ]);
    await applySample('02-production.yaml');
    const o = await waitReady('acme');
    assert.equal(o.status?.url, 'https://acme.pms.example.com');
    assert.deepEqual((o.status?.components as Record<string, unknown>).mongodb, {
      ready: 3,
      desired: 3,
    });
    assert.deepEqual((o.status?.components as Record<string, unknown>).backend, {
      ready: 3,
      desired: 3,
    });
    for (const c of ['backend', 'frontend', 'worker', 'mongodb'])
      assert.ok(await read('policy/v1', 'PodDisruptionBudget', `acme-${c}`), `PDB ${c}`);
    const sts = await read('apps/v1', 'StatefulSet', 'acme-mongodb');
    assert.equal(sts?.spec?.replicas, 3);
    const ing = await read('networking.k8s.io/v1', 'Ingress', 'acme-ingress');
    assert.equal(ing?.spec?.ingressClassName, 'traefik');
    assert.equal(ing?.metadata?.annotations?.['cert-manager.io/cluster-issuer'], 'letsencrypt');
    const cm = await read('v1', 'ConfigMap', 'acme-config');
    assert.equal(cm?.data?.ENABLE_METRICS, 'true');
    assert.equal(cm?.data?.SMTP_USER, 'pms');
    const cron = await read('batch/v1', 'CronJob', 'acme-backup');
    assert.equal(cron?.spec?.schedule, '0 3 * * *');
    assert.equal(cron?.metadata?.ownerReferences?.[0]?.name, 'acme');
    const backend = await read('apps/v1', 'Deployment', 'acme-backend');
    const tmpl = backend?.spec?.template as { metadata: { annotations: Record<string, string> } };
    assert.equal(tmpl.metadata.annotations['prometheus.io/scrape'], 'true');
    // Steady state: reconciling every second writes nothing, CronJob and PDBs included.
    await sleep(1500);
    proxy?.reset();
    const reconciles = async () => {
      const c = operator?.metrics.getSingleMetric('pms_operator_reconcile_total') as Counter;
      return (await c.get()).values.reduce((n, v) => n + v.value, 0);
    };
    const before = await reconciles();
    await sleep(5000);
    // Children come from the informer caches (a reconcile is about one GET): count reconciles.
    assert.ok((await reconciles()) - before >= 3);
    assert.deepEqual(proxy?.writes, []);
  });

  it('runs the external-databases sample without in-cluster data stores', async () => {
    await applySample('03-external-databases.yaml');
    const o = await waitReady('globex');
    for (const type of ['MongoDBReady', 'RedisReady', 'ObjectStorageReady'])
      assert.equal(condition(o, type)?.reason, 'External', type);
    for (const kind of ['StatefulSet'])
      for (const name of ['globex-mongodb', 'globex-minio'])
        assert.equal(await read('apps/v1', kind, name), undefined);
    assert.equal(await read('apps/v1', 'Deployment', 'globex-redis'), undefined);
    assert.equal(
      await read('v1', 'Secret', 'globex-mongodb')?.then((s) => s?.metadata?.ownerReferences),
      undefined,
    );
    // A referenced Secret disappearing is reported on its component.
    await client.delete({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'globex-s3', namespace: ns },
    });
    const broken = await eventually('ObjectStorageReady=False', async () => {
      const i = await readInstance('globex');
      return condition(i, 'ObjectStorageReady')?.status === 'False' ? i : undefined;
    });
    assert.equal(condition(broken, 'ObjectStorageReady')?.reason, 'SecretNotFound');
    assert.equal(condition(broken, 'Ready')?.status, 'False');
    assert.equal(broken.status?.phase, 'Degraded');
  });

  it('runs the local sample: external Mongo-wire database, data-store images built here', async () => {
    await provideVolumes(admin, ns, [{ name: 'data-demo-minio-0', size: '10Gi' }]);
    await applySample('00-local.yaml');
    const o = await waitReady('demo');
    assert.equal(o.status?.url, 'http://demo.pms.test');
    assert.equal(condition(o, 'MongoDBReady')?.reason, 'External');
    assert.equal(await read('apps/v1', 'StatefulSet', 'demo-mongodb'), undefined);
    const image = async (kind: string, name: string) => {
      const w = await read('apps/v1', kind, name);
      const spec = w?.spec?.template as { spec: { containers: { image: string }[] } };
      return spec.spec.containers[0]?.image;
    };
    assert.equal(await image('Deployment', 'demo-redis'), 'localhost/pms/redis:0.1.0');
    assert.equal(await image('StatefulSet', 'demo-minio'), 'localhost/pms/minio:0.1.0');
    assert.ok(await read('batch/v1', 'CronJob', 'demo-backup'), 'backups are scheduled');
    await client.delete({
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsInstance',
      metadata: { name: 'demo', namespace: ns },
    });
  });

  it('records the newest finished backup run as status.lastBackup', async () => {
    // A value recorded earlier survives while no newer run exists (Jobs are cleaned up).
    const earlier = {
      name: 'globex-backup-1',
      time: '2026-01-01T03:00:00.000Z',
      result: 'Succeeded',
    };
    const res = await rawRequest(
      admin,
      'PATCH',
      `/apis/pms.io/v1alpha1/namespaces/${ns}/pmsinstances/globex/status`,
      { status: { lastBackup: earlier } },
      'application/merge-patch+json',
    );
    assert.ok(res.status < 300, JSON.stringify(res.body));
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'globex', { spec: { maintenance: true } });
    const o = await eventually('the change observed', async () => {
      const i = await readInstance('globex');
      return i?.status?.observedGeneration === i?.metadata?.generation ? i : undefined;
    });
    assert.deepEqual(o.status?.lastBackup, earlier);
    // A backup Job of the instance finishes (kwok completes its pod): it becomes lastBackup.
    await client.create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'globex-backup-2',
        namespace: ns,
        // The labels every backup Job carries (CronJob template, PmsBackup): the operator
        // sees Jobs through its managed-by informer cache only.
        labels: {
          'app.kubernetes.io/instance': 'globex',
          'app.kubernetes.io/component': 'backup',
          'app.kubernetes.io/managed-by': 'pms-operator',
        },
        annotations: { 'pms.io/object-key': 'backups/globex/2.archive.gz' },
      },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'backup', image: 'example.invalid/pms-backup:1' }],
          },
        },
      },
    } as KubernetesObject);
    const later = await eventually(
      'lastBackup from the Job',
      async () => {
        const i = await readInstance('globex');
        const lb = i?.status?.lastBackup as Record<string, string> | undefined;
        return lb?.name === 'globex-backup-2' ? lb : undefined;
      },
      90_000,
    );
    assert.equal(later.result, 'Succeeded');
    assert.equal(later.location, 'backups/globex/2.archive.gz');
    assert.ok((later.time ?? '') > earlier.time);
  });

  it('reports a spec the schema cannot catch as InvalidSpec with a Warning event, then recovers', async () => {
    await client.create(
      instance(ns, 'wrong', {
        backend: { env: [{ name: 'MONGODB_URI', value: 'mongodb://elsewhere' }] },
        networkPolicy: { enabled: false },
      }),
    );
    const o = await eventually('InvalidSpec', async () => {
      const i = await readInstance('wrong');
      return condition(i, 'Ready')?.reason === 'InvalidSpec' ? i : undefined;
    });
    assert.equal(o.status?.phase, 'Failed');
    assert.match(condition(o, 'Ready')?.message ?? '', /MONGODB_URI is set by the operator/);
    assert.equal(await read('apps/v1', 'Deployment', 'wrong-backend'), undefined);
    await eventually('a Warning event', async () => {
      const res = await rawRequest(admin, 'GET', `/apis/events.k8s.io/v1/namespaces/${ns}/events`);
      const items = (
        res.body as { items: { reason?: string; type?: string; regarding?: { name?: string } }[] }
      ).items;
      return items.some(
        (e) => e.reason === 'InvalidSpec' && e.type === 'Warning' && e.regarding?.name === 'wrong',
      );
    });
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'wrong', { spec: { backend: { env: [] } } });
    await eventually('the backend after the fix', () =>
      read('apps/v1', 'Deployment', 'wrong-backend'),
    );
  });

  it('deletes the PVCs with the instance when deleteOnInstanceDelete is true', async () => {
    await provideVolumes(admin, ns, [
      { name: 'data-temp-mongodb-0', size: '10Gi' },
      { name: 'data-temp-minio-0', size: '10Gi' },
    ]);
    await client.create(
      instance(ns, 'temp', {
        mongodb: { storage: { deleteOnInstanceDelete: true } },
        objectStorage: { storage: { deleteOnInstanceDelete: true } },
      }),
    );
    // The StatefulSet controller applies the retention policy asynchronously: wait for it.
    for (const pvc of ['data-temp-mongodb-0', 'data-temp-minio-0'])
      await eventually(`${pvc} owned by its StatefulSet`, async () => {
        const c = await read('v1', 'PersistentVolumeClaim', pvc);
        return c?.metadata?.ownerReferences?.some((r) => r.kind === 'StatefulSet');
      });
    await client.delete({
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsInstance',
      metadata: { name: 'temp', namespace: ns },
    });
    for (const secret of ['temp-mongodb', 'temp-minio', 'temp-admin'])
      await eventually(
        `Secret ${secret} deleted`,
        async () => (await read('v1', 'Secret', secret)) === undefined,
        60_000,
      );
    for (const pvc of ['data-temp-mongodb-0', 'data-temp-minio-0'])
      await eventually(
        `${pvc} deleted`,
        async () => (await read('v1', 'PersistentVolumeClaim', pvc)) === undefined,
        60_000,
      );
  });

  it('grows volumes when storage.size grows', async () => {
    await provideVolumes(admin, ns, [
      { name: 'data-grow-mongodb-0', size: '10Gi', storageClassName: storageClass },
      { name: 'data-grow-minio-0', size: '10Gi' },
    ]);
    await client.create(
      instance(ns, 'grow', {
        mongodb: { storage: { size: '10Gi', storageClassName: storageClass } },
      }),
    );
    await eventually('PVC bound', async () => {
      const c = await read('v1', 'PersistentVolumeClaim', 'data-grow-mongodb-0');
      return (c?.status as { phase?: string } | undefined)?.phase === 'Bound';
    });
    await mergePatch('pms.io/v1alpha1', 'PmsInstance', 'grow', {
      spec: { mongodb: { storage: { size: '20Gi' } } },
    });
    await eventually('PVC asks for 20Gi', async () => {
      const c = await read('v1', 'PersistentVolumeClaim', 'data-grow-mongodb-0');
      const spec = c?.spec as { resources?: { requests?: Record<string, string> } } | undefined;
      return spec?.resources?.requests?.storage === '20Gi';
    });
    // The StatefulSet (whose claim templates are immutable) keeps reconciling without errors.
    const i = await eventually('observedGeneration 2', async () => {
      const o = await readInstance('grow');
      return o?.status?.observedGeneration === 2 ? o : undefined;
    });
    assert.notEqual(i.status?.phase, 'Failed');
  });
});

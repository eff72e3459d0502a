// spec.restoreFrom (a tenant clone) against the real API server and controller-manager, kwok
// running the pods, the operator under its own RBAC: the clone Job is created and completes
// before any app Deployment is scaled up, status.restoredFrom and the Restored condition are
// recorded once and never again, a PmsBackup of another namespace needs that namespace's
// consent, and a bucket + key source renders the Job's S3 settings.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Watch, type KubernetesObject } from '@kubernetes/client-node';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { createLogger } from '../src/log.ts';
import { startOperator, type RunningOperator } from '../src/operator.ts';
import {
  adminKc,
  apiMessage,
  createNamespace,
  deleteNamespace,
  eventually,
  installCrds,
  raw,
  sleep,
} from './backup-support.ts';
import { operatorKubeConfig, type OperatorIdentity } from './support/operator-kubeconfig.ts';

const admin = adminKc();
let ns = '';
let source = '';
let identity: OperatorIdentity | undefined;
let operator: RunningOperator | undefined;
const KEY = 'backups/acme/20261125T030000000Z.archive.gz';

type Obj = KubernetesObject & {
  spec?: Record<string, unknown> & { replicas?: number };
  status?: Record<string, unknown> & {
    phase?: string;
    restoredFrom?: { source: string; objectKey: string; time: string };
    observedGeneration?: number;
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      lastTransitionTime: string;
    }[];
  };
};

async function get(path: string): Promise<Obj | undefined> {
  const r = await raw(admin, 'GET', path);
  return r.status === 200 ? (r.body as Obj) : undefined;
}
async function send(method: string, path: string, body: unknown, type?: string): Promise<Obj> {
  const r = await raw(admin, method, path, body, type);
  assert.ok(r.status === 200 || r.status === 201, apiMessage(r.body));
  return r.body as Obj;
}
const inst = (name = '') =>
  `/apis/pms.io/v1alpha1/namespaces/${ns}/pmsinstances${name ? `/${name}` : ''}`;
const job = (name: string) => `/apis/batch/v1/namespaces/${ns}/jobs/${name}`;
const condition = (o: Obj | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);

async function createInstance(name: string, restoreFrom: unknown): Promise<void> {
  await send('POST', inst(), {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name },
    spec: { version: '1.4.2', host: `${name}.example.com`, restoreFrom },
  });
}

before(async () => {
  await installCrds(admin);
  ns = await createNamespace(admin, 'clone');
  source = await createNamespace(admin, 'clone-src');
  identity = await operatorKubeConfig(admin, ns);
  operator = await startOperator({
    kubeConfig: identity.kc,
    namespace: ns,
    leaderElection: false,
    resyncMs: 5000,
    processMetrics: false,
    controllers: [pmsInstanceController],
    log: createLogger('warn'),
  });
  // A finished backup of tenant acme in another namespace, in an external destination (its
  // status written as the PmsBackup controller would: that namespace is not watched here).
  const b = await send('POST', `/apis/pms.io/v1alpha1/namespaces/${source}/pmsbackups`, {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsBackup',
    metadata: { name: 'acme-nightly' },
    spec: {
      instanceRef: { name: 'acme' },
      destination: {
        endpoint: 'https://s3.example.com',
        bucket: 'acme-pms-backups',
        credentialsSecretRef: { name: 'acme-backup-s3' },
      },
    },
  });
  await send('PUT', `/apis/pms.io/v1alpha1/namespaces/${source}/pmsbackups/acme-nightly/status`, {
    ...b,
    status: { phase: 'Succeeded', objectKey: KEY, bucket: 'acme-pms-backups' },
  });
  await send('POST', `/api/v1/namespaces/${ns}/secrets`, {
    metadata: { name: 'acme-backup-s3' },
    stringData: { 'access-key': 'a', 'secret-key': 'b' },
  });
});

after(async () => {
  await operator?.stop();
  await deleteNamespace(admin, ns);
  await deleteNamespace(admin, source);
  await identity?.cleanup();
});

describe('spec.restoreFrom', () => {
  it('refuses a PmsBackup of another namespace that does not allow this one; the app stays at zero', async () => {
    await createInstance('nope', { backupRef: { name: 'acme-nightly', namespace: source } });
    const i = await eventually('nope Restored=False', async () => {
      const o = await get(inst('nope'));
      return condition(o, 'Restored')?.reason === 'CloneNotAllowed' ? o : undefined;
    });
    assert.equal(condition(i, 'Restored')?.status, 'False');
    assert.equal(condition(i, 'Ready')?.status, 'False');
    assert.equal(i.status?.phase, 'Failed');
    const backend = await eventually('nope-backend exists', () =>
      get(`/apis/apps/v1/namespaces/${ns}/deployments/nope-backend`),
    );
    assert.equal(backend.spec?.replicas, 0);
    assert.equal(await get(job('nope-clone')), undefined);
  });

  it('restores the backup before the app Deployments scale up, and records it once', async () => {
    await send(
      'PATCH',
      `/apis/pms.io/v1alpha1/namespaces/${source}/pmsbackups/acme-nightly`,
      { metadata: { annotations: { 'pms.io/allow-clone-to': `other,${ns}` } } },
      'application/merge-patch+json',
    );
    // Every change of the app Deployments and of the clone Job, in the API server's order.
    const timeline: { rv: bigint; what: string }[] = [];
    let seenJob: Obj | undefined;
    const watch = new Watch(admin);
    const stops = await Promise.all([
      watch.watch(
        `/apis/apps/v1/namespaces/${ns}/deployments`,
        {
          labelSelector:
            'app.kubernetes.io/instance=twin,app.kubernetes.io/component in (backend,frontend,worker)',
        },
        (_type: string, o: Obj) =>
          timeline.push({
            rv: BigInt(o.metadata?.resourceVersion ?? 0),
            what: `${o.metadata?.name} replicas=${o.spec?.replicas}`,
          }),
        () => undefined,
      ),
      watch.watch(
        `/apis/batch/v1/namespaces/${ns}/jobs`,
        { fieldSelector: 'metadata.name=twin-clone' },
        (type: string, o: Obj) => {
          seenJob = o;
          const done = (o.status?.conditions ?? []).some(
            (c) => c.type === 'Complete' && c.status === 'True',
          );
          timeline.push({
            rv: BigInt(o.metadata?.resourceVersion ?? 0),
            what: type === 'DELETED' ? 'job deleted' : done ? 'job complete' : `job ${type}`,
          });
        },
        () => undefined,
      ),
    ]);
    let ready: Obj;
    try {
      await createInstance('twin', { backupRef: { name: 'acme-nightly', namespace: source } });
      ready = await eventually(
        'twin Ready after the clone',
        async () => {
          const o = await get(inst('twin'));
          return o?.status?.phase === 'Ready' ? o : undefined;
        },
        180_000,
      );
    } finally {
      for (const w of stops) w.abort();
    }
    const dump = () => JSON.stringify(timeline, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    timeline.sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0));
    const added = timeline.findIndex((e) => e.what === 'job ADDED');
    const complete = timeline.findIndex((e) => e.what === 'job complete');
    const scaledUp = timeline.findIndex((e) => /replicas=[1-9]/.test(e.what));
    assert.ok(added >= 0 && complete > added, `the clone Job ran: ${dump()}`);
    assert.ok(scaledUp > complete, `no app Deployment above 0 before the Job completed: ${dump()}`);
    assert.ok(
      timeline.slice(0, scaledUp).some((e) => e.what.endsWith('replicas=0')),
      `the Deployments existed at 0 first: ${dump()}`,
    );

    const j = seenJob;
    assert.ok(j, 'the watch saw the clone Job');
    {
      const c = (
        j.spec?.template as {
          spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] };
        }
      ).spec.containers[0];
      assert.deepEqual(c?.args, ['restore', KEY]);
      const env = new Map(c?.env.map((e) => [e.name, e.value]));
      assert.equal(env.get('INSTANCE'), 'twin');
      assert.equal(env.get('BACKUP_S3_ENDPOINT'), 'https://s3.example.com');
      assert.equal(env.get('BACKUP_S3_BUCKET'), 'acme-pms-backups');
    }
    const recorded = ready.status?.restoredFrom;
    assert.equal(recorded?.source, `PmsBackup ${source}/acme-nightly`);
    assert.equal(recorded?.objectKey, KEY);
    assert.ok(recorded?.time);
    assert.equal(condition(ready, 'Restored')?.status, 'True');

    // Applied once: the Job is pruned, later reconciles (a spec change, resyncs) leave the
    // record as it is and run nothing again.
    await eventually(
      'the clone Job pruned',
      async () => (await get(job('twin-clone'))) === undefined,
    );
    const changed = await send(
      'PATCH',
      inst('twin'),
      { spec: { backend: { replicas: 2 } } },
      'application/merge-patch+json',
    );
    await eventually('twin reconciled the change', async () => {
      const o = await get(inst('twin'));
      return (o?.status?.observedGeneration ?? 0) >= (changed.metadata?.generation ?? 0);
    });
    await sleep(6000);
    const later = await get(inst('twin'));
    assert.deepEqual(later?.status?.restoredFrom, recorded);
    assert.equal(
      condition(later, 'Restored')?.lastTransitionTime,
      condition(ready, 'Restored')?.lastTransitionTime,
    );
    assert.equal(await get(job('twin-clone')), undefined, 'the clone never runs again');
  });

  it('a bucket and key: the Job reads that object with the given credentials', async () => {
    await createInstance('fromkey', {
      objectStorage: {
        endpoint: 'https://s3.eu.example.com:9443',
        region: 'eu-west-1',
        bucket: 'exports',
        key: KEY,
        credentialsSecretRef: { name: 'acme-backup-s3' },
      },
    });
    const j = await eventually('fromkey-clone', () => get(job('fromkey-clone')), 120_000);
    const c = (
      j.spec?.template as {
        spec: {
          containers: {
            args: string[];
            env: { name: string; value?: string; valueFrom?: unknown }[];
          }[];
        };
      }
    ).spec.containers[0];
    assert.deepEqual(c?.args, ['restore', KEY]);
    const env = new Map(c?.env.map((e) => [e.name, e]));
    assert.equal(env.get('BACKUP_S3_ENDPOINT')?.value, 'https://s3.eu.example.com:9443');
    assert.equal(env.get('BACKUP_S3_REGION')?.value, 'eu-west-1');
    assert.equal(env.get('BACKUP_S3_BUCKET')?.value, 'exports');
    assert.deepEqual(env.get('BACKUP_S3_SECRET_KEY')?.valueFrom, {
      secretKeyRef: { name: 'acme-backup-s3', key: 'secret-key' },
    });
    const done = await eventually(
      'fromkey restored',
      async () => {
        const o = await get(inst('fromkey'));
        return o?.status?.restoredFrom ? o : undefined;
      },
      120_000,
    );
    assert.equal(done.status?.restoredFrom?.source, `s3://exports/${KEY}`);
    // The backup pods' egress now reaches the clone source's port.
    const np = await get(
      `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/fromkey-backup`,
    );
    assert.match(JSON.stringify(np?.spec), /9443/);
  });
});

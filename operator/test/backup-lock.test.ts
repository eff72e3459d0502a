// The data lock of an instance (controller/backup-lock.ts) against the real API server, with
// the operator's three controllers under its own RBAC: a PmsBackup created during a restore
// stays Pending and runs after it, the backup CronJob is suspended meanwhile and resumed after,
// two restores created at once never run together, and a lock left by a deleted holder is
// taken over. The restore Jobs are placed by the test (kwok leaves their pods alone), so the
// test decides when each restore's data step finishes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseInstance } from '../src/api/spec.ts';
import { pmsBackupController } from '../src/controller/backup.ts';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { pmsRestoreController } from '../src/controller/restore.ts';
import { createLogger } from '../src/log.ts';
import { startOperator, type RunningOperator } from '../src/operator.ts';
import type { PmsRestore } from '../src/api/backup.ts';
import { renderRestoreJob } from '../src/render/restore-job.ts';
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
let identity: OperatorIdentity | undefined;
let operator: RunningOperator | undefined;

type Obj = KubernetesObject & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & {
    phase?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
};

const pms = (plural: string, name = '') =>
  `/apis/pms.io/v1alpha1/namespaces/${ns}/${plural}${name ? `/${name}` : ''}`;
const batch = (plural: string, name = '') =>
  `/apis/batch/v1/namespaces/${ns}/${plural}${name ? `/${name}` : ''}`;
const lease = (instance: string) =>
  `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${instance}-data-lock`;

async function get(path: string): Promise<Obj | undefined> {
  const r = await raw(admin, 'GET', path);
  return r.status === 200 ? (r.body as Obj) : undefined;
}
async function send(method: string, path: string, body: unknown, type?: string): Promise<Obj> {
  const r = await raw(admin, method, path, body, type);
  assert.ok(r.status === 200 || r.status === 201, apiMessage(r.body));
  return r.body as Obj;
}
const patch = (path: string, body: unknown) =>
  send('PATCH', path, body, 'application/merge-patch+json');

const spec = (name: string, extra: Record<string, unknown> = {}) => ({
  version: '1.4.2',
  host: `${name}.example.com`,
  ...extra,
});
const reason = (o: Obj | undefined) =>
  o?.status?.conditions?.find((c) => c.type === 'Complete')?.reason;

async function waitPhase(plural: string, name: string, phase: string, ms = 90_000) {
  return eventually(
    `${plural}/${name} ${phase}`,
    async () => {
      const o = await get(pms(plural, name));
      if (o?.status?.phase === 'Failed' && phase !== 'Failed')
        throw new Error(`${name} failed: ${String(o.status.error)}`);
      return o?.status?.phase === phase ? o : undefined;
    },
    ms,
  );
}

async function instance(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await send('POST', pms('pmsinstances'), {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name },
    spec: spec(name, extra),
  });
  await eventually(
    `${name} Ready`,
    async () => {
      const i = await get(pms('pmsinstances', name));
      return i?.status?.phase === 'Ready';
    },
    120_000,
  );
}

const KEY = (i: string) => `backups/${i}/20261125T030000000Z.archive.gz`;

/**
 * PmsRestores of `target` whose Jobs the test creates first (kwok's "custom" status: the pod
 * stays running until finishJob). The instance is paused meanwhile, so no restore starts before
 * its Job is in place.
 */
async function restoresWithManualJobs(target: string, names: string[]): Promise<void> {
  await patch(pms('pmsinstances', target), { spec: { paused: true } });
  const created = await Promise.all(
    names.map((name) =>
      send('POST', pms('pmsrestores'), {
        apiVersion: 'pms.io/v1alpha1',
        kind: 'PmsRestore',
        metadata: { name },
        spec: { instanceRef: { name: target }, source: { objectKey: KEY(target) } },
      }),
    ),
  );
  const inst = parseInstance({
    metadata: { name: target, namespace: ns, uid: 'x' },
    spec: spec(target) as Parameters<typeof parseInstance>[0]['spec'],
  });
  for (const c of created) {
    const r: PmsRestore = {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsRestore',
      metadata: { name: c.metadata?.name ?? '', namespace: ns, uid: c.metadata?.uid ?? '' },
      spec: { instanceRef: { name: target }, source: { objectKey: KEY(target) } },
    };
    const job = structuredClone(renderRestoreJob(inst, r, KEY(target), undefined)) as unknown as {
      spec: { backoffLimit: number; template: { metadata: Record<string, unknown> } };
    };
    job.spec.backoffLimit = 0;
    job.spec.template.metadata.annotations = { 'kwok.x-k8s.io/status': 'custom' };
    await send('POST', batch('jobs'), job);
  }
  await patch(pms('pmsinstances', target), { spec: { paused: false } });
}

/** Lets the pod of `jobName` succeed, as a kubelet would report it. */
async function finishJob(jobName: string): Promise<void> {
  const pod = await eventually(`a pod of ${jobName}`, async () => {
    const r = await raw(
      admin,
      'GET',
      `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${jobName}`)}`,
    );
    return (r.body as { items: Obj[] }).items[0];
  });
  await send(
    'PATCH',
    `/api/v1/namespaces/${ns}/pods/${pod.metadata?.name}/status`,
    {
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'pms-backup',
            image: 'ghcr.io/pms/pms-backup:1.4.2',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode: 0,
                reason: 'Completed',
                message: '{}',
                startedAt: new Date(Date.now() - 1000).toISOString(),
                finishedAt: new Date().toISOString(),
              },
            },
          },
        ],
      },
    },
    'application/merge-patch+json',
  );
}

const cronSuspended = async (instanceName: string) =>
  (await get(batch('cronjobs', `${instanceName}-backup`)))?.spec?.suspend;

before(async () => {
  await installCrds(admin);
  ns = await createNamespace(admin, 'bklock');
  identity = await operatorKubeConfig(admin, ns);
  operator = await startOperator({
    kubeConfig: identity.kc,
    namespace: ns,
    leaderElection: false,
    resyncMs: 5000,
    processMetrics: false,
    controllers: [pmsInstanceController, pmsBackupController, pmsRestoreController],
    log: createLogger('warn'),
  });
});

after(async () => {
  await operator?.stop();
  await deleteNamespace(admin, ns);
  await identity?.cleanup();
});

describe('data lock', () => {
  it('a backup created during a restore waits Pending and runs after; the CronJob is suspended meanwhile', async () => {
    await instance('acme', { backup: { enabled: true, schedule: '0 3 * * *' } });
    assert.equal(await cronSuspended('acme'), false);
    await restoresWithManualJobs('acme', ['acme-restore']);
    await waitPhase('pmsrestores', 'acme-restore', 'Restoring');
    const held = await get(lease('acme'));
    assert.equal(held?.spec?.holderIdentity, 'PmsRestore/acme-restore');
    assert.equal(held?.metadata?.ownerReferences?.[0]?.kind, 'PmsInstance');
    assert.equal(await cronSuspended('acme'), true, 'the CronJob is suspended during the restore');

    await send('POST', pms('pmsbackups'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'acme-during' },
      spec: { instanceRef: { name: 'acme' } },
    });
    const waiting = await eventually('acme-during waiting for the restore', async () => {
      const b = await get(pms('pmsbackups', 'acme-during'));
      return reason(b) === 'RestoreRunning' ? b : undefined;
    });
    assert.equal(waiting.status?.phase, 'Pending');
    assert.match(
      String(waiting.status?.conditions?.find((c) => c.type === 'Complete')?.message),
      /PmsRestore\/acme-restore/,
    );
    // It keeps waiting (several reconciles) and starts no Job; the CronJob stays suspended,
    // although the instance reconcile runs meanwhile (every 5 s resync).
    await sleep(7000);
    const still = await get(pms('pmsbackups', 'acme-during'));
    assert.equal(still?.status?.phase, 'Pending');
    assert.equal(await get(batch('jobs', 'acme-during-backup')), undefined);
    assert.equal(await cronSuspended('acme'), true);

    await finishJob('acme-restore-restore');
    const restored = await waitPhase('pmsrestores', 'acme-restore', 'Succeeded', 120_000);
    const done = await waitPhase('pmsbackups', 'acme-during', 'Succeeded');
    const job = await get(batch('jobs', 'acme-during-backup'));
    assert.ok(
      Date.parse(String(job?.metadata?.creationTimestamp)) >=
        Date.parse(String(restored.status?.completionTime)) - 1000,
      'the backup Job was created after the restore finished',
    );
    assert.ok(done.status?.objectKey);
    await eventually('the CronJob resumed', async () => (await cronSuspended('acme')) === false);
    const free = await get(lease('acme'));
    assert.equal(free?.spec?.holderIdentity, undefined, 'the lock was released');
    const acme = await get(pms('pmsinstances', 'acme'));
    assert.equal(acme?.metadata?.annotations?.['pms.io/restoring'], undefined);
  });

  it('a restore deleted midway: the CronJob resumes at the next reconcile and a backup takes the stale lock over', async () => {
    await instance('gone', { backup: { enabled: true, schedule: '0 3 * * *' } });
    await restoresWithManualJobs('gone', ['gone-restore']);
    await waitPhase('pmsrestores', 'gone-restore', 'Restoring');
    assert.equal(await cronSuspended('gone'), true);
    const hinted = await get(pms('pmsinstances', 'gone'));
    assert.equal(hinted?.metadata?.annotations?.['pms.io/restoring'], 'gone-restore');
    await send('DELETE', pms('pmsrestores', 'gone-restore'), undefined);
    await eventually(
      'the CronJob resumed after the restore was deleted',
      async () => (await cronSuspended('gone')) === false,
      60_000,
    );
    const i = await get(pms('pmsinstances', 'gone'));
    assert.equal(i?.metadata?.annotations?.['pms.io/restoring'], undefined, 'stale hint removed');
    assert.equal((await get(lease('gone')))?.spec?.holderIdentity, 'PmsRestore/gone-restore');
    await send('POST', pms('pmsbackups'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'gone-after' },
      spec: { instanceRef: { name: 'gone' } },
    });
    await waitPhase('pmsbackups', 'gone-after', 'Succeeded');
  });

  it('two restores created at once: exactly one runs, the other waits and runs after', async () => {
    await instance('duo');
    await restoresWithManualJobs('duo', ['duo-a', 'duo-b']);
    const phases = async () =>
      Promise.all(['duo-a', 'duo-b'].map((n) => get(pms('pmsrestores', n))));
    const [first, second] = await eventually('one restore running, one waiting', async () => {
      const [a, b] = await phases();
      if (a?.status?.phase === 'Restoring' && reason(b) === 'AnotherRestoreRunning') return [a, b];
      if (b?.status?.phase === 'Restoring' && reason(a) === 'AnotherRestoreRunning') return [b, a];
      return undefined;
    });
    const runner = String(first?.metadata?.name);
    const waiter = String(second?.metadata?.name);
    assert.equal(second?.status?.phase, 'Pending');
    assert.match(
      String(second?.status?.conditions?.find((c) => c.type === 'Complete')?.message),
      new RegExp(`PmsRestore/${runner}`),
    );
    assert.equal((await get(lease('duo')))?.spec?.holderIdentity, `PmsRestore/${runner}`);
    // The waiter stays Pending over several reconciles while the runner's Job runs.
    for (let i = 0; i < 5; i++) {
      await sleep(1000);
      const w = await get(pms('pmsrestores', waiter));
      assert.equal(w?.status?.phase, 'Pending', `${waiter} left Pending while ${runner} ran`);
    }
    await finishJob(`${runner}-restore`);
    await waitPhase('pmsrestores', runner, 'Succeeded', 120_000);
    await waitPhase('pmsrestores', waiter, 'Restoring', 60_000);
    assert.equal((await get(lease('duo')))?.spec?.holderIdentity, `PmsRestore/${waiter}`);
    await finishJob(`${waiter}-restore`);
    await waitPhase('pmsrestores', waiter, 'Succeeded', 120_000);
    const inst = await get(pms('pmsinstances', 'duo'));
    assert.equal(inst?.spec?.maintenance, false);
  });

  it('a lock whose holder was deleted is taken over', async () => {
    await instance('stale');
    const i = await get(pms('pmsinstances', 'stale'));
    await send('POST', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'stale-data-lock',
        annotations: { 'pms.io/holder-uid': 'f00' },
        ownerReferences: [
          {
            apiVersion: 'pms.io/v1alpha1',
            kind: 'PmsInstance',
            name: 'stale',
            uid: i?.metadata?.uid,
          },
        ],
      },
      spec: { holderIdentity: 'PmsRestore/gone' },
    });
    await send('POST', pms('pmsbackups'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'stale-backup' },
      spec: { instanceRef: { name: 'stale' } },
    });
    await waitPhase('pmsbackups', 'stale-backup', 'Succeeded');
    assert.equal((await get(lease('stale')))?.spec?.holderIdentity, undefined);
  });
});

// PmsBackup and PmsRestore objects drive their Jobs and report status, against the real API
// server and controller-manager (kwok runs the pods), with the operator under its own RBAC and
// the real PmsInstance controller next to them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubernetesObjectApi, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { parseInstance } from '../src/api/spec.ts';
import { pmsBackupController } from '../src/controller/backup.ts';
import { observeLastBackup } from '../src/controller/backup-status.ts';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { pmsRestoreController, SAVED_ANNOTATION } from '../src/controller/restore.ts';
import { createLogger } from '../src/log.ts';
import { startOperator, type RunningOperator } from '../src/operator.ts';
import { renderBackupJob } from '../src/render/backup-job.ts';
import type { PmsBackup, PmsRestore } from '../src/api/backup.ts';
import { renderRestoreJob } from '../src/render/restore-job.ts';
import type { Child } from '../src/render/types.ts';
import {
  adminKc,
  apiMessage,
  createNamespace,
  deleteNamespace,
  eventually,
  installCrds,
  raw,
} from './backup-support.ts';
import { operatorKubeConfig, type OperatorIdentity } from './support/operator-kubeconfig.ts';

const admin = adminKc();
let ns = '';
let identity: OperatorIdentity | undefined;
let operator: RunningOperator | undefined;

type Obj = KubernetesObject & {
  spec?: Record<string, unknown> & {
    replicas?: number;
    template?: { spec?: Record<string, unknown> };
  };
  status?: Record<string, unknown> & {
    phase?: string;
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      lastTransitionTime: string;
    }[];
  };
};

const api = (plural: string, name = '') =>
  `/apis/pms.io/v1alpha1/namespaces/${ns}/${plural}${name ? `/${name}` : ''}`;

async function get(path: string): Promise<Obj | undefined> {
  const r = await raw(admin, 'GET', path);
  return r.status === 200 ? (r.body as Obj) : undefined;
}
async function post(path: string, body: unknown): Promise<Obj> {
  const r = await raw(admin, 'POST', path, body);
  assert.equal(r.status, 201, apiMessage(r.body));
  return r.body as Obj;
}
async function patch(path: string, body: unknown): Promise<Obj> {
  const r = await raw(admin, 'PATCH', path, body, 'application/merge-patch+json');
  assert.equal(r.status, 200, apiMessage(r.body));
  return r.body as Obj;
}
const coreApi = (kind: string, name = '') =>
  `${kind === 'jobs' ? '/apis/batch/v1' : kind === 'deployments' ? '/apis/apps/v1' : '/api/v1'}/namespaces/${ns}/${kind}${name ? `/${name}` : ''}`;
async function list(kind: string, selector: string): Promise<Obj[]> {
  const r = await raw(
    admin,
    'GET',
    `${coreApi(kind)}?labelSelector=${encodeURIComponent(selector)}`,
  );
  return (r.body as { items: Obj[] }).items;
}

function instanceBody(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name },
    spec: {
      version: '1.4.2',
      host: `${name}.example.com`,
      backend: { replicas: 2 },
      worker: { replicas: 1 },
      ...extra,
    },
  };
}

const condition = (o: Obj | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);

async function waitPhase(
  plural: string,
  name: string,
  phase: string,
  timeoutMs = 90_000,
): Promise<Obj> {
  return eventually(
    `${plural}/${name} ${phase}`,
    async () => {
      const o = await get(api(plural, name));
      if (o?.status?.phase === 'Failed' && phase !== 'Failed') {
        throw new Error(`${name} failed: ${String(o.status.error)}`);
      }
      return o?.status?.phase === phase ? o : undefined;
    },
    timeoutMs,
  );
}

async function appReady(instance: string, backend: number, worker: number): Promise<void> {
  await eventually(
    `${instance} backend ${backend} and worker ${worker} ready`,
    async () => {
      const b = await get(coreApi('deployments', `${instance}-backend`));
      const w = await get(coreApi('deployments', `${instance}-worker`));
      return (
        b?.spec?.replicas === backend &&
        w?.spec?.replicas === worker &&
        (b.status?.readyReplicas ?? 0) === backend &&
        (w.status?.readyReplicas ?? 0) === worker
      );
    },
    120_000,
  );
}

/** Sets a pod's status as a kubelet would (the pod carries kwok's "custom status" annotation). */
async function finishPod(
  jobName: string,
  phase: 'Succeeded' | 'Failed',
  message: string,
): Promise<void> {
  const pod = await eventually(
    `a pod of ${jobName}`,
    async () => (await list('pods', `batch.kubernetes.io/job-name=${jobName}`))[0],
  );
  const r = await raw(
    admin,
    'PATCH',
    `${coreApi('pods', pod.metadata?.name)}/status`,
    {
      status: {
        phase,
        containerStatuses: [
          {
            name: 'pms-backup',
            image: 'ghcr.io/pms/pms-backup:1.4.2',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode: phase === 'Succeeded' ? 0 : 1,
                reason: phase === 'Succeeded' ? 'Completed' : 'Error',
                message,
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
  assert.equal(r.status, 200, apiMessage(r.body));
}

/** A Job as the controller would create it, whose pod kwok leaves alone (we finish it). */
function manualJob(job: Child): unknown {
  const j = structuredClone(job) as unknown as {
    spec: { backoffLimit: number; template: { metadata: Record<string, unknown> } };
  };
  j.spec.backoffLimit = 0;
  j.spec.template.metadata.annotations = { 'kwok.x-k8s.io/status': 'custom' };
  return j;
}

before(async () => {
  await installCrds(admin);
  ns = await createNamespace(admin, 'bkctl');
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
  await post(api('pmsinstances'), instanceBody('acme'));
  await appReady('acme', 2, 1);
});

after(async () => {
  await operator?.stop();
  await deleteNamespace(admin, ns);
  await identity?.cleanup();
});

describe('PmsBackup', () => {
  it('runs a backup Job and reports Succeeded with the object key', async () => {
    await post(api('pmsbackups'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'acme-manual' },
      spec: { instanceRef: { name: 'acme' } },
    });
    const b = await waitPhase('pmsbackups', 'acme-manual', 'Succeeded');
    const key = String(b.status?.objectKey);
    assert.match(key, /^backups\/acme\/\d{8}T\d{9}Z\.archive\.gz$/);
    assert.equal(b.status?.bucket, 'pms-attachments');
    assert.equal(b.status?.jobName, 'acme-manual-backup');
    assert.ok(b.status?.startTime && b.status.completionTime);
    assert.equal(condition(b, 'Complete')?.status, 'True');
    assert.equal(condition(b, 'Failed')?.status, 'False');

    const job = await get(coreApi('jobs', 'acme-manual-backup'));
    assert.ok(job);
    assert.equal(job.metadata?.ownerReferences?.[0]?.kind, 'PmsBackup');
    const c = (job.spec?.template?.spec?.containers as { args: string[]; image: string }[])[0];
    assert.deepEqual(c?.args, ['backup', '--timestamp', /(\d{8}T\d{9}Z)/.exec(key)?.[1]]);
    assert.equal(c?.image, 'ghcr.io/pms/pms-backup:1.4.2');

    assert.equal(job.metadata?.annotations?.['pms.io/object-key'], key);

    // What the instance status reports as lastBackup.
    const last = await observeLastBackup(KubernetesObjectApi.makeApiClient(admin), ns, 'acme');
    assert.equal(last?.name, 'acme-manual-backup');
    assert.equal(last?.result, 'Succeeded');
    assert.equal(last?.location, key);

    // Finished is final: nothing changes on later reconciles.
    const rv = b.metadata?.resourceVersion;
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal((await get(api('pmsbackups', 'acme-manual')))?.metadata?.resourceVersion, rv);
  });

  it('waits for a missing instance, then reports size and checksum from the pod, or the error', async () => {
    const created = await post(api('pmsbackups'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'later-backup' },
      spec: { instanceRef: { name: 'later' } },
    });
    const pending = await waitPhase('pmsbackups', 'later-backup', 'Pending');
    assert.match(String(pending.status?.error), /PmsInstance later not found/);
    assert.equal(condition(pending, 'Complete')?.reason, 'InstanceNotFound');

    // The Job the controller will find, with a pod whose result we write ourselves.
    const b: PmsBackup = {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'later-backup', namespace: ns, uid: created.metadata?.uid ?? '' },
      spec: { instanceRef: { name: 'later' } },
    };
    const inst = parseInstance({
      metadata: { name: 'later', namespace: ns, uid: 'x' },
      spec: instanceBody('later').spec,
    });
    await post(coreApi('jobs'), manualJob(renderBackupJob(inst, b, '20261125T030000000Z')));
    await post(api('pmsinstances'), instanceBody('later'));
    const sha = 'ab'.repeat(32);
    await finishPod(
      'later-backup-backup',
      'Succeeded',
      JSON.stringify({ size: 123456, sha256: sha }),
    );
    const done = await waitPhase('pmsbackups', 'later-backup', 'Succeeded');
    assert.equal(done.status?.size, 123456);
    assert.equal(done.status?.sha256, sha);

    await post(api('pmsbackups'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'doomed-backup' },
      spec: { instanceRef: { name: 'nowhere' } },
    });
    const doomed = await get(api('pmsbackups', 'doomed-backup'));
    const bd: PmsBackup = {
      ...b,
      metadata: { ...b.metadata, name: 'doomed-backup', uid: doomed?.metadata?.uid ?? '' },
    };
    await post(
      coreApi('jobs'),
      manualJob(
        renderBackupJob(
          parseInstance({
            metadata: { name: 'nowhere', namespace: ns, uid: 'x' },
            spec: instanceBody('nowhere').spec,
          }),
          bd,
          '20261125T040000000Z',
        ),
      ),
    );
    await post(api('pmsinstances'), instanceBody('nowhere'));
    await finishPod(
      'doomed-backup-backup',
      'Failed',
      JSON.stringify({
        error: 'StoreError: backup destination (s3 bucket "x") is not usable: HTTP 403',
      }),
    );
    const failed = await waitPhase('pmsbackups', 'doomed-backup', 'Failed');
    assert.match(
      String(failed.status?.error),
      /Job doomed-backup-backup failed: .*BackoffLimitExceeded.*HTTP 403/,
    );
    assert.equal(condition(failed, 'Failed')?.status, 'True');
    const last = await observeLastBackup(KubernetesObjectApi.makeApiClient(admin), ns, 'nowhere');
    assert.equal(last?.result, 'Failed');
    assert.equal(last?.name, 'doomed-backup-backup');
    // The size came from the pod's termination message; the key from the Job's annotation.
    const later = await observeLastBackup(KubernetesObjectApi.makeApiClient(admin), ns, 'later');
    assert.equal(later?.location, 'backups/later/20261125T030000000Z.archive.gz');
  });

  it('fails with JobConflict on a Job of its name that it does not own, releases the lock, warns', async () => {
    // A Job named like the backup's, owned by nobody: the controller must not adopt it.
    await post(coreApi('jobs'), {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'acme-squatted-backup' },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { annotations: { 'kwok.x-k8s.io/status': 'custom' } },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'busybox' }],
          },
        },
      },
    });
    await post(api('pmsbackups'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'acme-squatted' },
      spec: { instanceRef: { name: 'acme' } },
    });
    const failed = await waitPhase('pmsbackups', 'acme-squatted', 'Failed');
    assert.match(
      String(failed.status?.error),
      /a Job acme-squatted-backup exists that this PmsBackup does not own/,
    );
    assert.equal(condition(failed, 'Complete')?.reason, 'JobConflict');
    assert.equal(condition(failed, 'Failed')?.status, 'True');
    assert.ok(failed.status?.completionTime);
    const lease = await get(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/acme-data-lock`);
    assert.equal(lease?.spec?.holderIdentity, undefined, 'the data lock was released');
    await eventually('a BackupFailed event', async () => {
      const r = await raw(
        admin,
        'GET',
        `/apis/events.k8s.io/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent('regarding.name=acme-squatted')}`,
      );
      const items = (r.body as { items: { reason?: string; type?: string }[] }).items;
      return items.some((e) => e.reason === 'BackupFailed' && e.type === 'Warning');
    });
    const job = await get(coreApi('jobs', 'acme-squatted-backup'));
    assert.equal(job?.metadata?.ownerReferences, undefined, 'the Job was left alone');
  });
});

describe('PmsRestore', () => {
  it('maintenance, scale to zero, restore Job, app back: each step reported', async () => {
    // Every change to the app's pods and to the restore Job, in the order the API server
    // (one etcd: resourceVersions are its global revisions) made them.
    const timeline: { rv: bigint; what: string; name?: string }[] = [];
    const watch = new Watch(admin);
    const stops = await Promise.all([
      watch.watch(
        `/api/v1/namespaces/${ns}/pods`,
        {
          labelSelector:
            'app.kubernetes.io/instance=acme,app.kubernetes.io/component in (backend,worker)',
        },
        (type: string, o: Obj) =>
          timeline.push({
            rv: BigInt(o.metadata?.resourceVersion ?? 0),
            what: `pod ${type}`,
            name: `${o.metadata?.name} ${o.metadata?.deletionTimestamp ? 'deleting' : ''}`,
          }),
        () => undefined,
      ),
      watch.watch(
        `/apis/batch/v1/namespaces/${ns}/jobs`,
        { fieldSelector: 'metadata.name=acme-restore-restore' },
        (type: string, o: Obj) => {
          const complete = (o.status?.conditions ?? []).some((c) => c.type === 'Complete');
          timeline.push({
            rv: BigInt(o.metadata?.resourceVersion ?? 0),
            what: complete ? 'job complete' : `job ${type}`,
          });
        },
        () => undefined,
      ),
    ]);
    const seen: { jobExists: boolean; appPods: number; maintenance: boolean }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const job = await get(coreApi('jobs', 'acme-restore-restore'));
        if (job && !(job.status?.conditions ?? []).some((c) => c.type === 'Complete')) {
          const pods = await list(
            'pods',
            'app.kubernetes.io/instance=acme,app.kubernetes.io/component in (backend,worker)',
          );
          const inst = await get(api('pmsinstances', 'acme'));
          // Count the sample only if the Job was still unfinished after these reads.
          const again = await get(coreApi('jobs', 'acme-restore-restore'));
          const finished = (again?.status?.conditions ?? []).some((c) => c.type === 'Complete');
          if (!finished)
            seen.push({
              jobExists: true,
              appPods: pods.length,
              maintenance: inst?.spec?.maintenance === true,
            });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    await post(api('pmsrestores'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsRestore',
      metadata: { name: 'acme-restore' },
      spec: { instanceRef: { name: 'acme' }, source: { backupRef: { name: 'acme-manual' } } },
    });
    let done: Obj;
    try {
      done = await waitPhase('pmsrestores', 'acme-restore', 'Succeeded', 120_000);
    } finally {
      watching = false;
      await watcher;
      for (const w of stops) w.abort();
    }

    const backup = await get(api('pmsbackups', 'acme-manual'));
    assert.equal(done.status?.objectKey, backup?.status?.objectKey);
    assert.deepEqual(done.status?.saved, {
      maintenance: false,
      backendReplicas: 2,
      workerReplicas: 1,
    });
    const steps = [
      'MaintenanceEnabled',
      'AppScaledDown',
      'DataRestored',
      'AppRestored',
      'Complete',
    ];
    for (const s of steps)
      assert.equal(
        condition(done, s)?.status,
        'True',
        `${s}: ${JSON.stringify(condition(done, s))}`,
      );
    const times = steps.map((s) => Date.parse(condition(done, s)?.lastTransitionTime ?? ''));
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
      'steps happened in order',
    );

    // The restore Job ran only while nothing else touched the data: from its creation to its
    // completion no backend/worker pod existed (every pod existing before was deleted first).
    timeline.sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0));
    const created = timeline.findIndex((e) => e.what === 'job ADDED');
    const completed = timeline.findIndex((e) => e.what === 'job complete');
    assert.ok(
      created >= 0 && completed > created,
      JSON.stringify(timeline, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
    );
    const before = timeline.slice(0, created).filter((e) => e.what.startsWith('pod '));
    assert.ok(
      before.some((e) => e.what === 'pod DELETED'),
      'the app pods were deleted before the Job',
    );
    assert.equal(
      before.at(-1)?.what,
      'pod DELETED',
      `the last pod event before the Job is a deletion: ${JSON.stringify(timeline, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
    );
    const during = timeline.slice(created, completed).filter((e) => e.what.startsWith('pod '));
    assert.deepEqual(during, [], 'no backend/worker pod changed while the Job ran');
    // Polled samples while the Job ran (a second, independent look; may be empty if it was quick).
    for (const s of seen) {
      assert.equal(s.appPods, 0, 'a backend/worker pod ran during the restore');
      assert.equal(s.maintenance, true);
    }
    const job = await get(coreApi('jobs', 'acme-restore-restore'));
    const c = (job?.spec?.template?.spec?.containers as { args: string[] }[])[0];
    assert.deepEqual(c?.args, ['restore', backup?.status?.objectKey]);

    // The instance is back as it was.
    const inst = await get(api('pmsinstances', 'acme'));
    assert.equal(inst?.spec?.maintenance, false);
    assert.equal((inst?.spec?.backend as { replicas: number }).replicas, 2);
    assert.equal((inst?.spec?.worker as { replicas: number }).replicas, 1);
    assert.equal(inst?.metadata?.annotations?.[SAVED_ANNOTATION], undefined);
    // The data lock was released (the Lease stays, owned by the instance, without a holder).
    const lease = await get(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/acme-data-lock`);
    assert.equal(lease?.metadata?.ownerReferences?.[0]?.name, 'acme');
    assert.equal(lease?.spec?.holderIdentity, undefined);
    await appReady('acme', 2, 1);
  });

  it('a failed restore Job keeps the instance in maintenance; the next restore brings it back', async () => {
    // Paused: the restore waits, which lets the test put its own Job in place first.
    await patch(api('pmsinstances', 'acme'), { spec: { paused: true } });
    const created = await post(api('pmsrestores'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsRestore',
      metadata: { name: 'acme-bad' },
      spec: {
        instanceRef: { name: 'acme' },
        source: { objectKey: 'backups/acme/20261125T030000000Z.archive.gz' },
      },
    });
    const waiting = await waitPhase('pmsrestores', 'acme-bad', 'Pending');
    assert.equal(condition(waiting, 'Complete')?.reason, 'InstancePaused');
    const r: PmsRestore = {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsRestore',
      metadata: { name: 'acme-bad', namespace: ns, uid: created.metadata?.uid ?? '' },
      spec: {
        instanceRef: { name: 'acme' },
        source: { objectKey: 'backups/acme/20261125T030000000Z.archive.gz' },
      },
    };
    const inst = parseInstance({
      metadata: { name: 'acme', namespace: ns, uid: 'x' },
      spec: instanceBody('acme').spec,
    });
    await post(
      coreApi('jobs'),
      manualJob(
        renderRestoreJob(inst, r, 'backups/acme/20261125T030000000Z.archive.gz', undefined),
      ),
    );
    await patch(api('pmsinstances', 'acme'), { spec: { paused: false } });

    await waitPhase('pmsrestores', 'acme-bad', 'Restoring');
    await finishPod(
      'acme-bad-restore',
      'Failed',
      JSON.stringify({
        error:
          'IntegrityError: archive backups/acme/20261125T030000000Z.archive.gz does not match its manifest',
      }),
    );
    const failed = await waitPhase('pmsrestores', 'acme-bad', 'Failed');
    assert.match(String(failed.status?.error), /does not match its manifest.*stays in maintenance/);
    assert.equal(condition(failed, 'DataRestored')?.status, 'False');
    assert.equal(condition(failed, 'AppRestored')?.reason, 'KeptInMaintenance');
    const kept = await get(api('pmsinstances', 'acme'));
    assert.equal(kept?.spec?.maintenance, true);
    assert.equal((kept?.spec?.backend as { replicas: number }).replicas, 0);
    assert.deepEqual(JSON.parse(kept?.metadata?.annotations?.[SAVED_ANNOTATION] ?? '{}'), {
      maintenance: false,
      backendReplicas: 2,
      workerReplicas: 1,
    });

    // A new restore (here from the good backup) takes over the saved settings.
    await post(api('pmsrestores'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsRestore',
      metadata: { name: 'acme-retry' },
      spec: { instanceRef: { name: 'acme' }, source: { backupRef: { name: 'acme-manual' } } },
    });
    const ok = await waitPhase('pmsrestores', 'acme-retry', 'Succeeded', 120_000);
    assert.deepEqual(ok.status?.saved, {
      maintenance: false,
      backendReplicas: 2,
      workerReplicas: 1,
    });
    const back = await get(api('pmsinstances', 'acme'));
    assert.equal(back?.spec?.maintenance, false);
    assert.equal((back?.spec?.backend as { replicas: number }).replicas, 2);
    await appReady('acme', 2, 1);
  });

  it('clones a tenant through a backup in an external destination', async () => {
    await post(api('pmsinstances'), instanceBody('twin'));
    await post(api('pmsbackups'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsBackup',
      metadata: { name: 'acme-external' },
      spec: {
        instanceRef: { name: 'acme' },
        destination: {
          endpoint: 'https://s3.example.com',
          bucket: 'acme-pms-backups',
          credentialsSecretRef: { name: 'acme-backup-s3' },
        },
      },
    });
    const b = await waitPhase('pmsbackups', 'acme-external', 'Succeeded');
    assert.equal(b.status?.bucket, 'acme-pms-backups');
    await post(api('pmsrestores'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsRestore',
      metadata: { name: 'twin-from-acme' },
      spec: { instanceRef: { name: 'twin' }, source: { backupRef: { name: 'acme-external' } } },
    });
    const done = await waitPhase('pmsrestores', 'twin-from-acme', 'Succeeded', 120_000);
    assert.equal(done.status?.objectKey, b.status?.objectKey);
    const job = await get(coreApi('jobs', 'twin-from-acme-restore'));
    const c = (
      job?.spec?.template?.spec?.containers as {
        args: string[];
        env: { name: string; value?: string; valueFrom?: unknown }[];
      }[]
    )[0];
    assert.deepEqual(c?.args, ['restore', b.status?.objectKey]);
    const env = new Map(c?.env.map((e) => [e.name, e]));
    assert.equal(env.get('INSTANCE')?.value, 'twin');
    assert.equal(env.get('BACKUP_S3_ENDPOINT')?.value, 'https://s3.example.com');
    assert.equal(env.get('BACKUP_S3_BUCKET')?.value, 'acme-pms-backups');
    assert.deepEqual(env.get('BACKUP_S3_SECRET_KEY')?.valueFrom, {
      secretKeyRef: { name: 'acme-backup-s3', key: 'secret-key' },
    });
    // acme was not touched by twin's restore.
    const acme = await get(api('pmsinstances', 'acme'));
    assert.equal(acme?.spec?.maintenance, false);
    await appReady('twin', 2, 1);
  });

  it('refuses to clone from another instance own object storage, changing nothing', async () => {
    await post(api('pmsinstances'), instanceBody('clone'));
    await post(api('pmsrestores'), {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsRestore',
      metadata: { name: 'clone-from-acme' },
      spec: { instanceRef: { name: 'clone' }, source: { backupRef: { name: 'acme-manual' } } },
    });
    const failed = await waitPhase('pmsrestores', 'clone-from-acme', 'Failed');
    assert.equal(condition(failed, 'Complete')?.reason, 'SourceUnreachable');
    const clone = await get(api('pmsinstances', 'clone'));
    assert.equal(clone?.spec?.maintenance, false);
    // It failed before taking clone's data lock.
    assert.equal(
      await get(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/clone-data-lock`),
      undefined,
    );
  });
});

// The PmsBackup controller: one Job running `pms-backup backup --timestamp <ts>` per PmsBackup,
// and a status that follows it (Pending → Running → Succeeded | Failed). The archive key is
// chosen and written to status before the Job exists, so a restarted operator (or a retried
// pod) always uses the same key. A finished PmsBackup is never touched again.
// Before its key is chosen a PmsBackup takes the instance's data lock (controller/backup-lock.ts),
// which restores take too: during a restore it waits in Pending (reason RestoreRunning, the
// message names the PmsRestore) and runs after it; it releases the lock when it finishes.
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, InvalidSpecError, KIND, parseInstance } from '../api/spec.ts';
import type { ConditionInput } from '../api/status.ts';
import { backupObjectKey, backupJobName, renderBackupJob } from '../render/backup-job.ts';
import { resolveDestination } from '../render/backup-pod.ts';
import { BACKUP_KIND, BACKUP_PLURAL, type PmsBackup, type PmsBackupStatus } from '../api/backup.ts';
import {
  controlledBy,
  formatTimestamp,
  isTerminal,
  jobResult,
  jobState,
  writeRunStatus,
  type JobObject,
} from './backup-shared.ts';
import { acquireDataLock, releaseDataLock, type LockHolder } from './backup-lock.ts';
import { readObject } from './read.ts';
import type {
  ControllerDefinition,
  ObjectKey,
  ReconcileContext,
  ReconcileResult,
} from './types.ts';
import { toClientModel } from './wire.ts';

/** While waiting for an instance or a Job, look again this often even without events. */
const WAIT_MS = 15_000;
/** Waiting for the data lock: look again this often. */
const LOCK_WAIT_MS = 3_000;

type Next = Omit<PmsBackupStatus, 'conditions'> & { conditions: ConditionInput[] };

function conditions(
  b: PmsBackup,
  complete: ['True' | 'False' | 'Unknown', string, string],
  failed: ['True' | 'False', string, string],
): ConditionInput[] {
  const g = b.metadata.generation;
  const c = (type: string, [status, reason, message]: [string, string, string]) => ({
    type,
    status: status as ConditionInput['status'],
    reason,
    message,
    ...(g !== undefined ? { observedGeneration: g } : {}),
  });
  return [c('Complete', complete), c('Failed', failed)];
}

export async function reconcileBackup(
  ctx: ReconcileContext,
  key: ObjectKey,
  now: () => Date = () => new Date(),
): Promise<ReconcileResult> {
  const b = await readObject<PmsBackup & KubernetesObject>(
    ctx,
    API_VERSION,
    BACKUP_KIND,
    key.namespace,
    key.name,
  );
  if (!b || b.metadata.deletionTimestamp || isTerminal(b.status?.phase)) return {};
  const prev = b.status ?? {};
  const base = {
    observedGeneration: b.metadata.generation,
    ...(prev.objectKey ? { objectKey: prev.objectKey, bucket: prev.bucket } : {}),
    ...(prev.jobName ? { jobName: prev.jobName } : {}),
  };
  const write = (next: Next) => writeRunStatus(ctx, BACKUP_PLURAL, b, next, now());

  const instanceName = b.spec.instanceRef.name;
  const raw = await readObject(ctx, API_VERSION, KIND, key.namespace, instanceName);
  if (!raw) {
    const msg = `PmsInstance ${instanceName} not found in ${key.namespace}`;
    await write({
      ...base,
      phase: 'Pending',
      error: msg,
      conditions: conditions(b, ['Unknown', 'InstanceNotFound', msg], ['False', 'Waiting', msg]),
    });
    return { requeueAfterMs: WAIT_MS };
  }
  let instance;
  try {
    instance = parseInstance(raw as Parameters<typeof parseInstance>[0]);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    const msg = `PmsInstance ${instanceName} has an invalid spec: ${err.message}`;
    await write({
      ...base,
      phase: 'Failed',
      error: msg,
      completionTime: now().toISOString(),
      conditions: conditions(
        b,
        ['False', 'InvalidInstance', msg],
        ['True', 'InvalidInstance', msg],
      ),
    });
    await ctx.events.record(b, 'Warning', 'BackupFailed', msg);
    return {};
  }

  // 0. The data lock: never while a restore (or another backup) of the instance runs.
  const lockTarget = { namespace: key.namespace, name: instanceName, uid: raw.metadata?.uid };
  const me: LockHolder = { kind: BACKUP_KIND, name: b.metadata.name, uid: b.metadata.uid };
  const lock = await acquireDataLock(ctx, lockTarget, me);
  if (!lock.held) {
    const restore = lock.kind === 'PmsRestore';
    const msg = `waiting for ${lock.holder} to finish (it holds the data lock of ${instanceName})`;
    await write({
      ...base,
      phase: 'Pending',
      conditions: conditions(
        b,
        ['Unknown', restore ? 'RestoreRunning' : 'BackupRunning', msg],
        ['False', 'Waiting', msg],
      ),
    });
    return { requeueAfterMs: LOCK_WAIT_MS };
  }
  const release = () => releaseDataLock(ctx, lockTarget, me);

  // 1. Decide the key once, and record it before anything runs.
  if (!prev.objectKey) {
    const ts = formatTimestamp(now());
    const objectKey = backupObjectKey(instance, b, ts);
    await write({
      ...base,
      phase: 'Pending',
      objectKey,
      bucket: resolveDestination(instance, b.spec.destination).bucket,
      jobName: backupJobName(b),
      conditions: conditions(
        b,
        ['Unknown', 'Scheduled', `backing up to ${objectKey}`],
        ['False', 'Scheduled', ''],
      ),
    });
    return { requeueAfterMs: 1 };
  }
  const objectKey = prev.objectKey;
  const ts = /(\d{8}T\d{9}Z)\.archive\.gz$/.exec(objectKey)?.[1] ?? '';

  // 2. The Job (created once: a Job's template is immutable).
  const jobName = backupJobName(b);
  let job = await readObject<JobObject>(ctx, 'batch/v1', 'Job', key.namespace, jobName);
  if (!job) {
    job = (await ctx.apply(
      toClientModel(renderBackupJob(instance, b, ts) as KubernetesObject),
    )) as JobObject;
    await ctx.events.record(b, 'Normal', 'JobCreated', `started Job ${jobName} for ${objectKey}`);
  }

  if (!controlledBy(job, b.metadata.uid)) {
    const msg = `a Job ${jobName} exists that this PmsBackup does not own`;
    await release();
    await write({
      ...base,
      phase: 'Failed',
      error: msg,
      completionTime: now().toISOString(),
      conditions: conditions(b, ['False', 'JobConflict', msg], ['True', 'JobConflict', msg]),
    });
    return {};
  }

  // 3. Status from the Job.
  const js = jobState(job);
  const times = {
    ...(js.startTime
      ? { startTime: js.startTime }
      : prev.startTime
        ? { startTime: prev.startTime }
        : {}),
    ...(js.completionTime ? { completionTime: js.completionTime } : {}),
  };
  if (js.state === 'succeeded') {
    const result = await jobResult(ctx, key.namespace, jobName);
    const size = typeof result?.size === 'number' ? { size: result.size } : {};
    const sha = typeof result?.sha256 === 'string' ? { sha256: result.sha256 } : {};
    const msg = `backup written to ${objectKey}`;
    await release();
    if (
      await write({
        ...base,
        ...times,
        ...size,
        ...sha,
        phase: 'Succeeded',
        conditions: conditions(
          b,
          ['True', 'BackupSucceeded', msg],
          ['False', 'BackupSucceeded', ''],
        ),
      })
    ) {
      await ctx.events.record(b, 'Normal', 'BackupSucceeded', msg);
    }
    return {};
  }
  if (js.state === 'failed') {
    const result = await jobResult(ctx, key.namespace, jobName);
    const detail = typeof result?.error === 'string' ? result.error : undefined;
    const msg = [`Job ${jobName} failed`, js.message, detail].filter(Boolean).join(': ');
    await release();
    if (
      await write({
        ...base,
        ...times,
        phase: 'Failed',
        error: msg,
        conditions: conditions(b, ['False', 'BackupFailed', msg], ['True', 'BackupFailed', msg]),
      })
    ) {
      await ctx.events.record(b, 'Warning', 'BackupFailed', msg);
    }
    return {};
  }
  const running = js.state === 'running';
  await write({
    ...base,
    ...times,
    phase: running ? 'Running' : 'Pending',
    conditions: conditions(
      b,
      [
        'Unknown',
        running ? 'Running' : 'JobPending',
        `Job ${jobName} ${running ? 'is running' : 'has not started'}`,
      ],
      ['False', running ? 'Running' : 'JobPending', ''],
    ),
  });
  return { requeueAfterMs: WAIT_MS * 4 };
}

export const pmsBackupController: ControllerDefinition = {
  name: 'pmsbackup',
  primary: { apiVersion: API_VERSION, kind: BACKUP_KIND, plural: BACKUP_PLURAL, namespaced: true },
  owned: [{ apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true }],
  reconcile: (ctx, key) => reconcileBackup(ctx, key),
};

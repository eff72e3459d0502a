// The steps of a PmsBackup (see backup.ts for the controller): what one reconcile knows
// (BackupRun), and BACKUP_STEPS, the order of a backup as data (controller/steps.ts runs them).
// A backup reports two conditions, Complete and Failed: each step reports its own condition as
// the Complete condition (Failed follows from it, backup.ts `conditionsFor`), so the reason on
// Complete tells which step the backup is in.
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  BACKUP_KIND,
  type BackupPhase,
  type PmsBackup,
  type PmsBackupStatus,
} from '../api/backup.ts';
import {
  API_VERSION,
  InvalidSpecError,
  KIND,
  parseInstance,
  type PmsInstance,
} from '../api/spec.ts';
import { backupObjectKey, renderBackupJob } from '../render/backup-job.ts';
import { resolveDestination } from '../render/backup-pod.ts';
import {
  controlledBy,
  formatTimestamp,
  jobResult,
  jobState,
  type JobObject,
} from './backup-shared.ts';
import {
  acquireDataLock,
  releaseDataLock,
  type LockHolder,
  type LockTarget,
} from './backup-lock.ts';
import { readObject } from './read.ts';
import { next, type Step, type StepCondition, type StepOutcome } from './steps.ts';
import type { ReconcileContext } from './types.ts';
import { toClientModel } from './wire.ts';

/** While waiting for an instance or a Job, look again this often even without events. */
export const WAIT_MS = 15_000;
/** Waiting for the data lock: look again this often. */
export const LOCK_WAIT_MS = 3_000;

export type BackupStepName =
  'InstanceValid' | 'DataLocked' | 'KeyChosen' | 'JobStarted' | 'JobFinished';

/** What one reconcile of a PmsBackup knows; the steps fill it in, in order. */
export interface BackupRun {
  ctx: ReconcileContext;
  b: PmsBackup & KubernetesObject;
  ns: string;
  prev: PmsBackupStatus;
  /** The status fields besides phase, error and conditions, as they will be written. */
  fields: Omit<PmsBackupStatus, 'phase' | 'error' | 'conditions'>;
  /** InstanceValid: the parsed instance and its data lock. */
  instance?: PmsInstance;
  lockTarget?: LockTarget;
  /** DataLocked: this reconcile holds the instance's data lock. */
  held: boolean;
  /** JobStarted: the Job, and its name. */
  job?: JobObject;
  jobName: string;
  now: () => Date;
  /** The Complete condition as the current step sees it. */
  report(name: BackupStepName, condition: StepCondition): void;
  write(phase: BackupPhase, error?: string): Promise<boolean>;
}

/** The backup, in order. KeyChosen runs once: a key in status is never chosen again. */
export const BACKUP_STEPS: readonly Step<BackupRun, BackupStepName, BackupPhase>[] = [
  { name: 'InstanceValid', run: readInstance },
  { name: 'DataLocked', run: takeDataLock },
  { name: 'KeyChosen', precondition: (run) => !run.prev.objectKey, run: chooseKey },
  { name: 'JobStarted', run: startJob },
  { name: 'JobFinished', run: followJob },
];

/** Releases the instance's data lock if this reconcile holds it. */
export async function releaseLock(run: BackupRun): Promise<void> {
  if (!run.held || !run.lockTarget) return;
  await releaseDataLock(run.ctx, run.lockTarget, lockHolder(run));
  run.held = false;
}

const lockHolder = (run: BackupRun): LockHolder => ({
  kind: BACKUP_KIND,
  name: run.b.metadata.name,
  uid: run.b.metadata.uid,
});

/** The instance exists (else wait for it) and its spec parses (else the backup fails). */
async function readInstance(run: BackupRun): Promise<StepOutcome<BackupPhase>> {
  const name = run.b.spec.instanceRef.name;
  const raw = await readObject(run.ctx, API_VERSION, KIND, run.ns, name);
  if (!raw) {
    const message = `PmsInstance ${name} not found in ${run.ns}`;
    const reason = 'InstanceNotFound';
    return { kind: 'pending', reason, message, error: message, requeueAfterMs: WAIT_MS };
  }
  try {
    run.instance = parseInstance(raw as Parameters<typeof parseInstance>[0]);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    const message = `PmsInstance ${name} has an invalid spec: ${err.message}`;
    return { kind: 'fail', reason: 'InvalidInstance', message };
  }
  run.lockTarget = { namespace: run.ns, name, uid: raw.metadata?.uid };
  return next;
}

/** Never while a restore (or another backup) of the instance runs: wait for its data lock. */
async function takeDataLock(run: BackupRun): Promise<StepOutcome<BackupPhase>> {
  if (!run.lockTarget) throw new Error('DataLocked runs after InstanceValid');
  const lock = await acquireDataLock(run.ctx, run.lockTarget, lockHolder(run));
  if (!lock.held) {
    return {
      kind: 'pending',
      reason: lock.kind === 'PmsRestore' ? 'RestoreRunning' : 'BackupRunning',
      message: `waiting for ${lock.holder} to finish (it holds the data lock of ${run.lockTarget.name})`,
      requeueAfterMs: LOCK_WAIT_MS,
    };
  }
  run.held = true;
  return next;
}

/** Decide the archive key once, and record it before anything runs. */
async function chooseKey(run: BackupRun): Promise<StepOutcome<BackupPhase>> {
  const instance = requireInstance(run);
  const objectKey = backupObjectKey(instance, run.b, formatTimestamp(run.now()));
  run.fields.objectKey = objectKey;
  run.fields.bucket = resolveDestination(instance, run.b.spec.destination).bucket;
  run.fields.jobName = run.jobName;
  run.report('KeyChosen', ['Unknown', 'Scheduled', `backing up to ${objectKey}`]);
  return { kind: 'wait', phase: 'Pending', requeueAfterMs: 1 };
}

/** The Job, created once (a Job's template is immutable), and only ours. */
async function startJob(run: BackupRun): Promise<StepOutcome<BackupPhase>> {
  const { ctx, b, ns, jobName } = run;
  const objectKey = run.prev.objectKey ?? '';
  const ts = /(\d{8}T\d{9}Z)\.archive\.gz$/.exec(objectKey)?.[1] ?? '';
  let job = await readObject<JobObject>(ctx, 'batch/v1', 'Job', ns, jobName);
  if (!job) {
    job = (await ctx.apply(
      toClientModel(renderBackupJob(requireInstance(run), b, ts) as KubernetesObject),
    )) as JobObject;
    await ctx.events.record(b, 'Normal', 'JobCreated', `started Job ${jobName} for ${objectKey}`);
  }
  if (!controlledBy(job, b.metadata.uid)) {
    const message = `a Job ${jobName} exists that this PmsBackup does not own`;
    return { kind: 'fail', reason: 'JobConflict', message };
  }
  run.job = job;
  return next;
}

/** Status from the Job; when it finished, its result, the lock released and an event. */
async function followJob(run: BackupRun): Promise<StepOutcome<BackupPhase>> {
  const { ctx, b, ns, jobName } = run;
  const js = jobState(run.job);
  const startTime = js.startTime ?? run.prev.startTime;
  if (startTime) run.fields.startTime = startTime;
  if (js.completionTime) run.fields.completionTime = js.completionTime;
  if (js.state === 'succeeded') {
    const result = await jobResult(ctx, ns, jobName);
    if (typeof result?.size === 'number') run.fields.size = result.size;
    if (typeof result?.sha256 === 'string') run.fields.sha256 = result.sha256;
    const message = `backup written to ${run.prev.objectKey ?? ''}`;
    await releaseLock(run);
    run.report('JobFinished', ['True', 'BackupSucceeded', message]);
    if (await run.write('Succeeded')) {
      await ctx.events.record(b, 'Normal', 'BackupSucceeded', message);
    }
    return { kind: 'finished' };
  }
  if (js.state === 'failed') {
    const result = await jobResult(ctx, ns, jobName);
    const detail = typeof result?.error === 'string' ? result.error : undefined;
    const message = [`Job ${jobName} failed`, js.message, detail].filter(Boolean).join(': ');
    await releaseLock(run);
    run.report('JobFinished', ['False', 'BackupFailed', message]);
    if (await run.write('Failed', message)) {
      await ctx.events.record(b, 'Warning', 'BackupFailed', message);
    }
    return { kind: 'finished' };
  }
  const running = js.state === 'running';
  run.report('JobFinished', [
    'Unknown',
    running ? 'Running' : 'JobPending',
    `Job ${jobName} ${running ? 'is running' : 'has not started'}`,
  ]);
  return { kind: 'wait', phase: running ? 'Running' : 'Pending', requeueAfterMs: WAIT_MS * 4 };
}

function requireInstance(run: BackupRun): PmsInstance {
  if (!run.instance) throw new Error('a backup step ran before InstanceValid');
  return run.instance;
}

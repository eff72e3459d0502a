// The PmsRestore controller. Steps, each a condition in status:
//   MaintenanceEnabled  the instance gets spec.maintenance=true and backend/worker replicas 0
//                       (its previous values saved in the annotation pms.io/restore-saved, in
//                       the same patch, and in status.saved)
//   AppScaledDown       no backend or worker pod is left (nothing writes during the restore)
//   DataRestored        the Job `pms-backup restore <key>` completed (verify, then drop-and-
//                       restore every collection, then attachments)
//   AppRestored         the saved settings are back and the app's pods are ready
// The steps are the list RESTORE_STEPS below (order as data, controller/steps.ts runs it), after
// the preconditions (instance, backup, data lock) in `preconditions`.
// Level-based: every reconcile re-reads the instance, its Deployments and the Job and moves as
// far as it can. Before any step the restore takes the instance's data lock (a Lease with
// resourceVersion preconditions, controller/backup-lock.ts) that PmsBackups take too: a second
// restore or a backup waits (Pending) until this one finished. While it holds the lock the
// backup CronJob is suspended and a scheduled run already started is waited for; the lock is
// released, and the CronJob resumed (unless the instance hibernates), when it ends.
// On a failed Job the instance stays in maintenance (spec.onFailure: KeepMaintenance, the
// default: the database may be half restored) or comes back (RestoreApp).
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  API_VERSION,
  InvalidSpecError,
  KIND,
  parseInstance,
  type PmsInstance,
} from '../api/spec.ts';
import type { ConditionInput } from '../api/status.ts';
import {
  BACKUP_KIND,
  RESTORE_KIND,
  RESTORE_PLURAL,
  type PmsBackup,
  type PmsRestore,
  type PmsRestoreStatus,
  type RestorePhase,
  type SavedAppState,
  type TBackupDestination,
} from '../api/backup.ts';
import { restoreJobName } from '../render/restore-job.ts';
import {
  controlledBy,
  isTerminal,
  jobState,
  mergePatch,
  writeRunStatus,
  type JobObject,
} from './backup-shared.ts';
import {
  acquireDataLock,
  releaseDataLock,
  RESTORING_ANNOTATION,
  type LockHolder,
  type LockTarget,
} from './backup-lock.ts';
import { readObject } from './read.ts';
import type {
  ControllerDefinition,
  ObjectKey,
  ReconcileContext,
  ReconcileResult,
} from './types.ts';
import { runSteps, type StepCondition } from './steps.ts';
import {
  LOCK_WAIT_MS,
  parseSaved,
  RESTORE_STEPS,
  SAVED_ANNOTATION,
  setBackupsSuspended,
  STEPS,
  WAIT_MS,
  type RawInstance,
  type RestoreRun,
  type StepName,
} from './restore-steps.ts';
export async function reconcileRestore(
  ctx: ReconcileContext,
  key: ObjectKey,
  now: () => Date = () => new Date(),
): Promise<ReconcileResult> {
  const r = await readObject<PmsRestore & KubernetesObject>(
    ctx,
    API_VERSION,
    RESTORE_KIND,
    key.namespace,
    key.name,
  );
  if (!r || r.metadata.deletionTimestamp || isTerminal(r.status?.phase)) return {};
  const prev: PmsRestoreStatus = r.status ?? {};
  const ns = key.namespace;
  const g = r.metadata.generation;

  const conditions = new Map<StepName, StepCondition>(
    STEPS.map((s) => [s, ['Unknown', 'Waiting', '']]),
  );
  const report = (name: StepName, c: StepCondition) => conditions.set(name, c);
  const fields: Omit<PmsRestoreStatus, 'conditions' | 'phase'> = {
    ...(prev.objectKey ? { objectKey: prev.objectKey } : {}),
    ...(prev.jobName ? { jobName: prev.jobName } : {}),
    ...(prev.startTime ? { startTime: prev.startTime } : {}),
    ...(prev.saved ? { saved: prev.saved } : {}),
  };
  const write = async (phase: RestorePhase, error?: string) => {
    const list: ConditionInput[] = STEPS.map((type) => {
      const [status, reason, message] = conditions.get(type) ?? ['Unknown', 'Waiting', ''];
      return {
        type,
        status,
        reason,
        message,
        ...(g !== undefined ? { observedGeneration: g } : {}),
      };
    });
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    return writeRunStatus(
      ctx,
      RESTORE_PLURAL,
      r,
      {
        observedGeneration: g,
        phase,
        ...fields,
        ...(terminal ? { completionTime: now().toISOString() } : {}),
        ...(error ? { error } : {}),
        conditions: list,
      },
      now(),
    );
  };
  const lock = new LockHold(ctx, r, ns);
  const pending = async (reason: string, message: string, requeueAfterMs = WAIT_MS) => {
    report('Complete', ['Unknown', reason, message]);
    await write('Pending', message);
    return { requeueAfterMs };
  };
  const fail = async (reason: string, message: string) => {
    await lock.letGo();
    report('Complete', ['False', reason, message]);
    if (await write('Failed', message)) await ctx.events.record(r, 'Warning', reason, message);
    return {};
  };

  const ready = await preconditions(ctx, r, ns, lock);
  if ('pending' in ready) return pending(...ready.pending);
  if ('fail' in ready) return fail(...ready.fail);
  const { raw, instance, objectKey, destination } = ready;
  fields.objectKey = objectKey;

  const annotations = raw.metadata?.annotations ?? {};
  const jobName = restoreJobName(r);
  const job = await readObject<JobObject>(ctx, 'batch/v1', 'Job', ns, jobName);
  if (job && !controlledBy(job, r.metadata.uid)) {
    return fail('JobConflict', `a Job ${jobName} exists that this PmsRestore does not own`);
  }
  // Settings to put back: ours, or those saved by an earlier restore that left the instance
  // in maintenance, or the current spec.
  const saved: SavedAppState = prev.saved ??
    parseSaved(annotations[SAVED_ANNOTATION]) ?? {
      maintenance: instance.spec.maintenance,
      backendReplicas: instance.spec.backend.replicas,
      workerReplicas: instance.spec.worker.replicas,
    };
  const run: RestoreRun = {
    ctx,
    r,
    ns,
    target: r.spec.instanceRef.name,
    instance,
    raw,
    annotations,
    objectKey,
    destination,
    jobName,
    job,
    js: jobState(job),
    saved,
    savedText: `maintenance=${saved.maintenance}, backend=${saved.backendReplicas}, worker=${saved.workerReplicas}`,
    prev,
    fields,
    patchedNow: false,
    now,
    report,
    write,
    letGo: () => lock.letGo(),
  };
  const outcome = await runSteps(RESTORE_STEPS, run);
  switch (outcome.kind) {
    case 'wait':
      await write(outcome.phase, outcome.error);
      return { requeueAfterMs: outcome.requeueAfterMs };
    case 'pending':
      return pending(outcome.reason, outcome.message, outcome.requeueAfterMs);
    case 'fail':
      return fail(outcome.reason, outcome.message);
    default:
      return {};
  }
}

type Ready =
  | {
      raw: RawInstance;
      instance: PmsInstance;
      objectKey: string;
      destination: TBackupDestination | undefined;
    }
  | { pending: [reason: string, message: string, requeueAfterMs?: number] }
  | { fail: [reason: string, message: string] };

/**
 * What must hold before any step runs, in order: the target instance exists, parses and is not
 * paused; the backup exists, succeeded and is readable from the target; and this restore holds
 * the instance's data lock (no other restore or backup runs).
 */
async function preconditions(
  ctx: ReconcileContext,
  r: PmsRestore & KubernetesObject,
  ns: string,
  lock: LockHold,
): Promise<Ready> {
  const target = r.spec.instanceRef.name;
  const raw = await readObject<RawInstance>(ctx, API_VERSION, KIND, ns, target);
  if (!raw) return { pending: ['InstanceNotFound', `PmsInstance ${target} not found in ${ns}`] };
  let instance: PmsInstance;
  try {
    instance = parseInstance(raw as Parameters<typeof parseInstance>[0]);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    return {
      fail: ['InvalidInstance', `PmsInstance ${target} has an invalid spec: ${err.message}`],
    };
  }
  if (instance.spec.paused) {
    return {
      pending: [
        'InstancePaused',
        `PmsInstance ${target} has spec.paused=true; unpause it to restore`,
      ],
    };
  }

  let objectKey: string;
  let destination: TBackupDestination | undefined;
  const ref = r.spec.source.backupRef;
  if (ref) {
    const b = await readObject<PmsBackup & KubernetesObject>(
      ctx,
      API_VERSION,
      BACKUP_KIND,
      ns,
      ref.name,
    );
    if (!b) return { pending: ['BackupNotFound', `PmsBackup ${ref.name} not found in ${ns}`] };
    if (b.status?.phase === 'Failed') {
      return { fail: ['BackupFailed', `PmsBackup ${ref.name} failed; nothing was changed`] };
    }
    if (b.status?.phase !== 'Succeeded' || !b.status.objectKey) {
      return {
        pending: ['BackupNotReady', `waiting for PmsBackup ${ref.name} to succeed`, WAIT_MS],
      };
    }
    objectKey = b.status.objectKey;
    destination = b.spec.destination;
    if (
      b.spec.instanceRef.name !== target &&
      !destination?.endpoint &&
      !instance.spec.objectStorage.external
    ) {
      return {
        fail: [
          'SourceUnreachable',
          `PmsBackup ${ref.name} is in ${b.spec.instanceRef.name}'s own object storage, which ${target} ` +
            'cannot read; clone through a backup with an external destination (spec.destination.endpoint)',
        ],
      };
    }
  } else {
    objectKey = r.spec.source.objectKey ?? '';
    destination = r.spec.destination;
  }

  const held = await lock.take({ namespace: ns, name: target, uid: raw.metadata?.uid }, instance);
  if (!held.held) {
    return {
      pending: [
        held.kind === 'PmsBackup' ? 'BackupRunning' : 'AnotherRestoreRunning',
        `waiting for ${held.holder} to finish (it holds the data lock of ${target})`,
        LOCK_WAIT_MS,
      ],
    };
  }
  return { raw, instance, objectKey, destination };
}

/**
 * The instance's data lock as this restore holds it. While held, scheduled backups are
 * suspended; letting go clears the instance's restoring hint and resumes them while still
 * holding the lock (so that no next holder's suspension is undone), then releases it.
 */
class LockHold {
  private target?: LockTarget;
  private hibernating = false;
  private readonly me: LockHolder;
  private readonly ctx: ReconcileContext;
  private readonly r: PmsRestore & KubernetesObject;
  private readonly ns: string;
  constructor(ctx: ReconcileContext, r: PmsRestore & KubernetesObject, ns: string) {
    this.ctx = ctx;
    this.r = r;
    this.ns = ns;
    this.me = { kind: RESTORE_KIND, name: r.metadata.name, uid: r.metadata.uid };
  }

  async take(target: LockTarget, instance: PmsInstance) {
    const result = await acquireDataLock(this.ctx, target, this.me);
    if (result.held) {
      this.target = target;
      this.hibernating = instance.spec.hibernate;
    }
    return result;
  }

  async letGo(): Promise<void> {
    const t = this.target;
    if (!t) return;
    await mergePatch(
      this.ctx,
      { apiVersion: API_VERSION, kind: KIND, name: t.name, namespace: this.ns },
      { metadata: { annotations: { [RESTORING_ANNOTATION]: null } } },
    );
    if (!this.hibernating) await setBackupsSuspended(this.ctx, this.r, this.ns, false);
    await releaseDataLock(this.ctx, t, this.me);
  }
}

export { SAVED_ANNOTATION };

export const pmsRestoreController: ControllerDefinition = {
  name: 'pmsrestore',
  primary: {
    apiVersion: API_VERSION,
    kind: RESTORE_KIND,
    plural: RESTORE_PLURAL,
    namespaced: true,
  },
  owned: [{ apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true }],
  reconcile: (ctx, key) => reconcileRestore(ctx, key),
};

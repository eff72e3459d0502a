// The PmsRestore controller. Steps, each a condition in status:
//   MaintenanceEnabled  the instance gets spec.maintenance=true and backend/worker replicas 0
//                       (its previous values saved in the annotation pms.io/restore-saved, in
//                       the same patch, and in status.saved)
//   AppScaledDown       no backend or worker pod is left (nothing writes during the restore)
//   DataRestored        the Job `pms-backup restore <key>` completed (verify, then drop-and-
//                       restore every collection, then attachments)
//   AppRestored         the saved settings are back and the app's pods are ready
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
import type { ConditionInput, ConditionStatus } from '../api/status.ts';
import type { TBackupDestination } from '../render/backup-pod.ts';
import {
  BACKUP_KIND,
  RESTORE_KIND,
  RESTORE_PLURAL,
  type PmsBackup,
  type PmsRestore,
  type PmsRestoreStatus,
  type RestorePhase,
  type SavedAppState,
} from '../render/backup-resources.ts';
import { childName } from '../render/names.ts';
import { renderRestoreJob, restoreJobName } from '../render/restore-job.ts';
import {
  controlledBy,
  isTerminal,
  jobResult,
  jobState,
  mergePatch,
  readObject,
  writeStatus,
  type JobObject,
} from './backup-shared.ts';
import {
  acquireDataLock,
  releaseDataLock,
  RESTORING_ANNOTATION,
  type LockHolder,
  type LockTarget,
} from './backup-lock.ts';
import type {
  ControllerDefinition,
  ObjectKey,
  ReconcileContext,
  ReconcileResult,
} from './types.ts';
import { toClientModel, toWire } from './wire.ts';

export const SAVED_ANNOTATION = 'pms.io/restore-saved';
const POLL_MS = 2_000;
const WAIT_MS = 15_000;
/** Waiting for the data lock or a scheduled backup: look again this often. */
const LOCK_WAIT_MS = 3_000;

type StepName =
  'MaintenanceEnabled' | 'AppScaledDown' | 'DataRestored' | 'AppRestored' | 'Complete';
type Step = [ConditionStatus, string, string];
const STEPS: StepName[] = [
  'MaintenanceEnabled',
  'AppScaledDown',
  'DataRestored',
  'AppRestored',
  'Complete',
];

interface RawInstance extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: { observedGeneration?: number };
}

interface CronJobObject extends KubernetesObject {
  spec?: { suspend?: boolean };
}

interface DeploymentObject extends KubernetesObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; observedGeneration?: number };
}

const APP = ['backend', 'worker'] as const;

function parseSaved(text: string | undefined): SavedAppState | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as SavedAppState;
    if (
      typeof v.maintenance === 'boolean' &&
      Number.isInteger(v.backendReplicas) &&
      Number.isInteger(v.workerReplicas)
    ) {
      return v;
    }
  } catch {
    // ignored: fall back to the spec
  }
  return undefined;
}

const sameSaved = (a: SavedAppState | undefined, b: SavedAppState): boolean =>
  a !== undefined &&
  a.maintenance === b.maintenance &&
  a.backendReplicas === b.backendReplicas &&
  a.workerReplicas === b.workerReplicas;

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
  const name = r.metadata.name;
  const ns = key.namespace;
  const g = r.metadata.generation;

  const steps = new Map<StepName, Step>(STEPS.map((s) => [s, ['Unknown', 'Waiting', '']]));
  const fields: Omit<PmsRestoreStatus, 'conditions' | 'phase'> = {
    ...(prev.objectKey ? { objectKey: prev.objectKey } : {}),
    ...(prev.jobName ? { jobName: prev.jobName } : {}),
    ...(prev.startTime ? { startTime: prev.startTime } : {}),
    ...(prev.saved ? { saved: prev.saved } : {}),
  };
  const write = async (phase: RestorePhase, error?: string) => {
    const conditions: ConditionInput[] = STEPS.map((type) => {
      const [status, reason, message] = steps.get(type) ?? ['Unknown', 'Waiting', ''];
      return {
        type,
        status,
        reason,
        message,
        ...(g !== undefined ? { observedGeneration: g } : {}),
      };
    });
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    return writeStatus(
      ctx,
      RESTORE_PLURAL,
      r,
      {
        observedGeneration: g,
        phase,
        ...fields,
        ...(terminal ? { completionTime: now().toISOString() } : {}),
        ...(error ? { error } : {}),
        conditions,
      },
      now(),
    );
  };
  const pending = async (reason: string, message: string, requeueAfterMs = WAIT_MS) => {
    steps.set('Complete', ['Unknown', reason, message]);
    await write('Pending', message);
    return { requeueAfterMs };
  };
  const me: LockHolder = { kind: RESTORE_KIND, name, uid: r.metadata.uid };
  /** The instance whose lock this reconcile holds (set once taken), and whether it hibernates. */
  const holding: { target?: LockTarget; hibernating: boolean } = { hibernating: false };
  const cronJobs = async () =>
    (
      await ctx.client.list<CronJobObject>(
        'batch/v1',
        'CronJob',
        ns,
        undefined,
        undefined,
        undefined,
        undefined,
        `app.kubernetes.io/instance=${r.spec.instanceRef.name},app.kubernetes.io/component=backup`,
      )
    ).items.map((c) => toWire(c));
  /** Suspends (true) or resumes (false) the scheduled backups of the target (its CronJob). */
  const setBackupsSuspended = async (suspend: boolean) => {
    for (const c of await cronJobs()) {
      if ((c.spec?.suspend ?? false) === suspend) continue;
      await mergePatch(
        ctx,
        { apiVersion: 'batch/v1', kind: 'CronJob', name: c.metadata?.name ?? '', namespace: ns },
        { spec: { suspend } },
      );
    }
  };
  /**
   * Ends the hold (if this restore held the lock): clears the instance's restoring hint and
   * resumes scheduled backups while still holding the lock (so that no next holder's
   * suspension is undone), then releases it.
   */
  const letGo = async () => {
    const t = holding.target;
    if (!t) return;
    await mergePatch(
      ctx,
      { apiVersion: API_VERSION, kind: KIND, name: t.name, namespace: ns },
      { metadata: { annotations: { [RESTORING_ANNOTATION]: null } } },
    );
    if (!holding.hibernating) await setBackupsSuspended(false);
    await releaseDataLock(ctx, t, me);
  };
  const fail = async (reason: string, message: string) => {
    await letGo();
    steps.set('Complete', ['False', reason, message]);
    if (await write('Failed', message)) await ctx.events.record(r, 'Warning', reason, message);
    return {};
  };

  // The target instance.
  const target = r.spec.instanceRef.name;
  const raw = await readObject<RawInstance>(ctx, API_VERSION, KIND, ns, target);
  if (!raw) return pending('InstanceNotFound', `PmsInstance ${target} not found in ${ns}`);
  let instance: PmsInstance;
  try {
    instance = parseInstance(raw as Parameters<typeof parseInstance>[0]);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    return fail('InvalidInstance', `PmsInstance ${target} has an invalid spec: ${err.message}`);
  }
  if (instance.spec.paused) {
    return pending(
      'InstancePaused',
      `PmsInstance ${target} has spec.paused=true; unpause it to restore`,
    );
  }

  // The backup.
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
    if (!b) return pending('BackupNotFound', `PmsBackup ${ref.name} not found in ${ns}`);
    if (b.status?.phase === 'Failed') {
      return fail('BackupFailed', `PmsBackup ${ref.name} failed; nothing was changed`);
    }
    if (b.status?.phase !== 'Succeeded' || !b.status.objectKey) {
      return pending('BackupNotReady', `waiting for PmsBackup ${ref.name} to succeed`, WAIT_MS);
    }
    objectKey = b.status.objectKey;
    destination = b.spec.destination;
    if (
      b.spec.instanceRef.name !== target &&
      !destination?.endpoint &&
      !instance.spec.objectStorage.external
    ) {
      return fail(
        'SourceUnreachable',
        `PmsBackup ${ref.name} is in ${b.spec.instanceRef.name}'s own object storage, which ${target} ` +
          'cannot read; clone through a backup with an external destination (spec.destination.endpoint)',
      );
    }
  } else {
    objectKey = r.spec.source.objectKey ?? '';
    destination = r.spec.destination;
  }
  fields.objectKey = objectKey;

  // One restore or backup at a time per instance: the data lock.
  const lockTarget: LockTarget = { namespace: ns, name: target, uid: raw.metadata?.uid };
  const lock = await acquireDataLock(ctx, lockTarget, me);
  if (!lock.held) {
    return pending(
      lock.kind === 'PmsBackup' ? 'BackupRunning' : 'AnotherRestoreRunning',
      `waiting for ${lock.holder} to finish (it holds the data lock of ${target})`,
      LOCK_WAIT_MS,
    );
  }
  holding.target = lockTarget;
  holding.hibernating = instance.spec.hibernate;
  const annotations = raw.metadata?.annotations ?? {};

  const jobName = restoreJobName(r);
  const job = await readObject<JobObject>(ctx, 'batch/v1', 'Job', ns, jobName);
  if (job && !controlledBy(job, r.metadata.uid)) {
    return fail('JobConflict', `a Job ${jobName} exists that this PmsRestore does not own`);
  }
  const js = jobState(job);
  const instanceRef = { apiVersion: API_VERSION, kind: KIND, name: target, namespace: ns };
  const deploymentRef = (c: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: childName(instance, c),
    namespace: ns,
  });
  const readDeployments = async () =>
    (
      await Promise.all(
        APP.map((c) =>
          readObject<DeploymentObject>(ctx, 'apps/v1', 'Deployment', ns, childName(instance, c)),
        ),
      )
    ).filter((d): d is DeploymentObject => d !== undefined);

  // Settings to put back: ours, or those saved by an earlier restore that left the instance
  // in maintenance, or the current spec.
  const saved: SavedAppState = prev.saved ??
    parseSaved(annotations[SAVED_ANNOTATION]) ?? {
      maintenance: instance.spec.maintenance,
      backendReplicas: instance.spec.backend.replicas,
      workerReplicas: instance.spec.worker.replicas,
    };
  const savedText = `maintenance=${saved.maintenance}, backend=${saved.backendReplicas}, worker=${saved.workerReplicas}`;

  /** Puts the saved settings back (once: the patch removes the saved-settings annotation). */
  const bringBack = async (): Promise<boolean> => {
    if (annotations[SAVED_ANNOTATION] !== undefined) {
      await mergePatch(ctx, instanceRef, {
        metadata: { annotations: { [SAVED_ANNOTATION]: null } },
        spec: {
          maintenance: saved.maintenance,
          backend: { replicas: saved.backendReplicas },
          worker: { replicas: saved.workerReplicas },
        },
      });
      for (const c of APP) {
        const d = await readObject<DeploymentObject>(
          ctx,
          'apps/v1',
          'Deployment',
          ns,
          childName(instance, c),
        );
        const want = c === 'backend' ? saved.backendReplicas : saved.workerReplicas;
        if (d && d.spec?.replicas !== want)
          await mergePatch(ctx, deploymentRef(c), { spec: { replicas: want } });
      }
      await ctx.events.record(
        r,
        'Normal',
        'AppRestored',
        `instance ${target} back to ${savedText}`,
      );
    }
    const ds = await readDeployments();
    return ds.every(
      (d) =>
        (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 0),
    );
  };

  steps.set('MaintenanceEnabled', ['True', 'MaintenanceEnabled', `saved ${savedText}`]);
  steps.set('AppScaledDown', ['True', 'ScaledDown', 'no backend or worker pod is running']);

  if (js.state === 'failed') {
    const result = await jobResult(ctx, ns, jobName);
    const detail = typeof result?.error === 'string' ? result.error : undefined;
    const why = [`Job ${jobName} failed`, js.message, detail].filter(Boolean).join(': ');
    steps.set('DataRestored', ['False', 'RestoreFailed', why]);
    if ((r.spec.onFailure ?? 'KeepMaintenance') === 'KeepMaintenance') {
      const msg =
        `${why}. The instance stays in maintenance with API and worker at zero (the database ` +
        `may be partly restored); its previous settings (${savedText}) are in the annotation ` +
        `${SAVED_ANNOTATION} and a new PmsRestore puts them back when it succeeds`;
      steps.set('AppRestored', ['False', 'KeptInMaintenance', msg]);
      return fail('RestoreFailed', msg);
    }
    const ready = await bringBack();
    if (!ready) {
      steps.set('AppRestored', ['False', 'ScalingUp', `waiting for ${target}'s pods to be ready`]);
      await write('ScalingUp', why);
      return { requeueAfterMs: POLL_MS };
    }
    steps.set('AppRestored', [
      'True',
      'AppRestored',
      `back to ${savedText} (onFailure: RestoreApp)`,
    ]);
    return fail('RestoreFailed', `${why}; the app was brought back (onFailure: RestoreApp)`);
  }

  if (js.state === 'succeeded') {
    steps.set('DataRestored', ['True', 'Restored', `restored ${objectKey}`]);
    const ready = await bringBack();
    if (!ready) {
      steps.set('AppRestored', ['False', 'ScalingUp', `waiting for ${target}'s pods to be ready`]);
      await write('ScalingUp');
      return { requeueAfterMs: POLL_MS };
    }
    steps.set('AppRestored', ['True', 'AppRestored', `back to ${savedText}`]);
    steps.set('Complete', ['True', 'Succeeded', `${target} restored from ${objectKey}`]);
    await letGo();
    if (await write('Succeeded')) {
      await ctx.events.record(
        r,
        'Normal',
        'RestoreSucceeded',
        `${target} restored from ${objectKey}`,
      );
    }
    return {};
  }

  // No backup may run while the data changes: scheduled runs are suspended (and the hint on
  // the instance makes its reconcile render the CronJob suspended too), and a run the CronJob
  // started before is waited for.
  if (annotations[RESTORING_ANNOTATION] !== name) {
    await mergePatch(ctx, instanceRef, {
      metadata: { annotations: { [RESTORING_ANNOTATION]: name } },
    });
  }
  await setBackupsSuspended(true);
  if (!job) {
    const scheduled = await runningScheduledBackups(ctx, ns, target);
    if (scheduled.length > 0) {
      return pending(
        'ScheduledBackupRunning',
        `waiting for the scheduled backup Job ${scheduled.join(', ')} to finish`,
        LOCK_WAIT_MS,
      );
    }
  }

  // Enter maintenance: one patch carries the saved settings and the change.
  fields.saved = saved;
  fields.startTime ??= now().toISOString();
  const s = instance.spec;
  let patchedNow = false;
  if (
    !sameSaved(parseSaved(annotations[SAVED_ANNOTATION]), saved) ||
    !s.maintenance ||
    s.backend.replicas !== 0 ||
    s.worker.replicas !== 0
  ) {
    steps.set('AppScaledDown', ['Unknown', 'Waiting', 'entering maintenance first']);
    if (!prev.saved) await write('EnteringMaintenance'); // saved is recorded before the change
    await mergePatch(ctx, instanceRef, {
      metadata: { annotations: { [SAVED_ANNOTATION]: JSON.stringify(saved) } },
      spec: { maintenance: true, backend: { replicas: 0 }, worker: { replicas: 0 } },
    });
    patchedNow = true;
    await ctx.events.record(
      r,
      'Normal',
      'MaintenanceEnabled',
      `${target} in maintenance; saved ${savedText}`,
    );
  }
  // Scale the Deployments directly too, so that nothing waits for the instance reconcile.
  const deployments = await readDeployments();
  for (const d of deployments) {
    if ((d.spec?.replicas ?? 1) !== 0) {
      await mergePatch(
        ctx,
        { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata?.name ?? '', namespace: ns },
        { spec: { replicas: 0 } },
      );
    }
  }
  const pods = await ctx.client.list(
    'v1',
    'Pod',
    ns,
    undefined,
    undefined,
    undefined,
    undefined,
    `app.kubernetes.io/instance=${target},app.kubernetes.io/component in (backend,worker)`,
  );
  // The instance controller must have seen the change too: a reconcile of it that read the
  // spec before our patch could otherwise scale the app up again after this check.
  const observed = raw.status?.observedGeneration;
  const settled = !patchedNow && (observed ?? 0) >= (raw.metadata?.generation ?? 0);
  if (pods.items.length > 0 || !settled) {
    steps.set('AppScaledDown', [
      'False',
      'ScalingDown',
      pods.items.length > 0
        ? `${pods.items.length} backend/worker pod(s) still running`
        : `waiting for the PmsInstance controller to apply maintenance (generation ${raw.metadata?.generation ?? '?'})`,
    ]);
    await write('ScalingDown');
    return { requeueAfterMs: POLL_MS };
  }

  steps.set('AppScaledDown', ['True', 'ScaledDown', 'no backend or worker pod is running']);

  // Restore.
  fields.jobName = jobName;
  if (!job) {
    await ctx.apply(
      toClientModel(renderRestoreJob(instance, r, objectKey, destination) as KubernetesObject),
    );
    await ctx.events.record(
      r,
      'Normal',
      'JobCreated',
      `started Job ${jobName} restoring ${objectKey}`,
    );
  }
  steps.set('DataRestored', ['Unknown', 'Restoring', `Job ${jobName} restoring ${objectKey}`]);
  await write('Restoring');
  return { requeueAfterMs: WAIT_MS * 4 };
}

/** Jobs the backup CronJob of `instance` started that have not finished. */
async function runningScheduledBackups(
  ctx: ReconcileContext,
  ns: string,
  instance: string,
): Promise<string[]> {
  const jobs = await ctx.client.list<JobObject>(
    'batch/v1',
    'Job',
    ns,
    undefined,
    undefined,
    undefined,
    undefined,
    `app.kubernetes.io/instance=${instance},app.kubernetes.io/component=backup`,
  );
  return jobs.items
    .map((j) => toWire(j))
    .filter((j) => (j.metadata?.ownerReferences ?? []).some((o) => o.kind === 'CronJob'))
    .filter((j) => {
      const s = jobState(j).state;
      return s !== 'succeeded' && s !== 'failed';
    })
    .map((j) => j.metadata?.name ?? '');
}

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

// The steps of a PmsRestore (see restore.ts for the controller): what one reconcile knows once
// the preconditions hold (RestoreRun), and RESTORE_STEPS, the order of the restore as data,
// each step owning one condition (controller/steps.ts runs them).
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KIND, type PmsInstance } from '../api/spec.ts';
import type {
  PmsRestore,
  PmsRestoreStatus,
  RestorePhase,
  SavedAppState,
  TBackupDestination,
} from '../api/backup.ts';
import { childName } from '../render/names.ts';
import { renderRestoreJob } from '../render/restore-job.ts';
import { jobResult, jobState, mergePatch, type JobObject } from './backup-shared.ts';
import { readObject } from './read.ts';
import { RESTORING_ANNOTATION } from './backup-lock.ts';
import type { ReconcileContext } from './types.ts';
import { next, type Step, type StepCondition, type StepOutcome } from './steps.ts';
import { toClientModel, toWire } from './wire.ts';
export const SAVED_ANNOTATION = 'pms.io/restore-saved';
export const POLL_MS = 2_000;
export const WAIT_MS = 15_000;
/** Waiting for the data lock or a scheduled backup: look again this often. */
export const LOCK_WAIT_MS = 3_000;

export type StepName =
  'MaintenanceEnabled' | 'AppScaledDown' | 'DataRestored' | 'AppRestored' | 'Complete';
export const STEPS: StepName[] = [
  'MaintenanceEnabled',
  'AppScaledDown',
  'DataRestored',
  'AppRestored',
  'Complete',
];

export interface RawInstance extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: { observedGeneration?: number };
}

export interface CronJobObject extends KubernetesObject {
  spec?: { suspend?: boolean };
}

export interface DeploymentObject extends KubernetesObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; observedGeneration?: number };
}

export const APP = ['backend', 'worker'] as const;

export function parseSaved(text: string | undefined): SavedAppState | undefined {
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

export const sameSaved = (a: SavedAppState | undefined, b: SavedAppState): boolean =>
  a !== undefined &&
  a.maintenance === b.maintenance &&
  a.backendReplicas === b.backendReplicas &&
  a.workerReplicas === b.workerReplicas;

/** What one reconcile of a PmsRestore knows once its preconditions hold; the steps act on it. */
export interface RestoreRun {
  ctx: ReconcileContext;
  r: PmsRestore & KubernetesObject;
  ns: string;
  target: string;
  instance: PmsInstance;
  raw: RawInstance;
  annotations: Record<string, string>;
  objectKey: string;
  destination: TBackupDestination | undefined;
  jobName: string;
  job: JobObject | undefined;
  js: ReturnType<typeof jobState>;
  saved: SavedAppState;
  savedText: string;
  prev: PmsRestoreStatus;
  fields: Omit<PmsRestoreStatus, 'conditions' | 'phase'>;
  /** The maintenance patch was sent in this reconcile (the instance controller has not seen it). */
  patchedNow: boolean;
  /** The data restore failed and onFailure is RestoreApp: the app comes back, then it fails. */
  failure?: string;
  now: () => Date;
  report(name: StepName, condition: StepCondition): void;
  write(phase: RestorePhase, error?: string): Promise<boolean>;
  /** Releases the data lock (and resumes scheduled backups) if this reconcile holds it. */
  letGo(): Promise<void>;
}

const finished = (run: RestoreRun) => run.js.state === 'succeeded' || run.js.state === 'failed';

/**
 * The restore, in order. MaintenanceEnabled and AppScaledDown are skipped (reported done) once
 * the Job has finished: the data is restored or failed, and nothing is scaled down again.
 */
export const RESTORE_STEPS: readonly Step<RestoreRun, StepName, RestorePhase>[] = [
  {
    name: 'MaintenanceEnabled',
    precondition: (run) => !finished(run),
    skipped: (run) => ['True', 'MaintenanceEnabled', `saved ${run.savedText}`],
    run: enterMaintenance,
  },
  {
    name: 'AppScaledDown',
    precondition: (run) => !finished(run),
    skipped: () => ['True', 'ScaledDown', 'no backend or worker pod is running'],
    run: waitForScaleDown,
  },
  { name: 'DataRestored', run: restoreData },
  { name: 'AppRestored', run: restoreApp },
  { name: 'Complete', run: complete },
];

/** The backup CronJobs of the restore's target instance. */
async function backupCronJobs(
  ctx: ReconcileContext,
  r: PmsRestore,
  ns: string,
): Promise<CronJobObject[]> {
  const list = await ctx.client.list<CronJobObject>(
    'batch/v1',
    'CronJob',
    ns,
    undefined,
    undefined,
    undefined,
    undefined,
    `app.kubernetes.io/instance=${r.spec.instanceRef.name},app.kubernetes.io/component=backup`,
  );
  return list.items.map((c) => toWire(c));
}

/** Suspends (true) or resumes (false) the scheduled backups of the target (its CronJob). */
export async function setBackupsSuspended(
  ctx: ReconcileContext,
  r: PmsRestore,
  ns: string,
  suspend: boolean,
): Promise<void> {
  for (const c of await backupCronJobs(ctx, r, ns)) {
    if ((c.spec?.suspend ?? false) === suspend) continue;
    await mergePatch(
      ctx,
      { apiVersion: 'batch/v1', kind: 'CronJob', name: c.metadata?.name ?? '', namespace: ns },
      { spec: { suspend } },
    );
  }
}

const instanceRef = (run: RestoreRun) => ({
  apiVersion: API_VERSION,
  kind: KIND,
  name: run.target,
  namespace: run.ns,
});

const deploymentRef = (run: RestoreRun, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name,
  namespace: run.ns,
});

async function readDeployments(run: RestoreRun): Promise<DeploymentObject[]> {
  const found = await Promise.all(
    APP.map((c) =>
      readObject<DeploymentObject>(
        run.ctx,
        'apps/v1',
        'Deployment',
        run.ns,
        childName(run.instance, c),
      ),
    ),
  );
  return found.filter((d): d is DeploymentObject => d !== undefined);
}

/**
 * No backup may run while the data changes: scheduled runs are suspended (and the hint on the
 * instance makes its reconcile render the CronJob suspended too), and a run the CronJob started
 * before is waited for. Then one patch of the instance carries the saved settings and the
 * change to maintenance with backend and worker at zero.
 */
async function enterMaintenance(run: RestoreRun): Promise<StepOutcome<RestorePhase>> {
  const { ctx, r, ns, target, annotations, saved, savedText } = run;
  if (annotations[RESTORING_ANNOTATION] !== r.metadata.name) {
    await mergePatch(ctx, instanceRef(run), {
      metadata: { annotations: { [RESTORING_ANNOTATION]: r.metadata.name } },
    });
  }
  await setBackupsSuspended(ctx, r, ns, true);
  if (!run.job) {
    const scheduled = await runningScheduledBackups(ctx, ns, target);
    if (scheduled.length > 0) {
      return {
        kind: 'pending',
        reason: 'ScheduledBackupRunning',
        message: `waiting for the scheduled backup Job ${scheduled.join(', ')} to finish`,
        requeueAfterMs: LOCK_WAIT_MS,
      };
    }
  }
  run.report('MaintenanceEnabled', ['True', 'MaintenanceEnabled', `saved ${savedText}`]);
  run.fields.saved = saved;
  run.fields.startTime ??= run.now().toISOString();
  const s = run.instance.spec;
  if (
    !sameSaved(parseSaved(annotations[SAVED_ANNOTATION]), saved) ||
    !s.maintenance ||
    s.backend.replicas !== 0 ||
    s.worker.replicas !== 0
  ) {
    run.report('AppScaledDown', ['Unknown', 'Waiting', 'entering maintenance first']);
    if (!run.prev.saved) await run.write('EnteringMaintenance'); // saved is recorded first
    await mergePatch(ctx, instanceRef(run), {
      metadata: { annotations: { [SAVED_ANNOTATION]: JSON.stringify(saved) } },
      spec: { maintenance: true, backend: { replicas: 0 }, worker: { replicas: 0 } },
    });
    run.patchedNow = true;
    await ctx.events.record(
      r,
      'Normal',
      'MaintenanceEnabled',
      `${target} in maintenance; saved ${savedText}`,
    );
  }
  return next;
}

/**
 * Scales the Deployments to zero directly too (nothing waits for the instance reconcile), then
 * waits until no backend or worker pod is left and the instance controller has seen the
 * maintenance change (a reconcile of it that read the spec before the patch could otherwise
 * scale the app up again after this check).
 */
async function waitForScaleDown(run: RestoreRun): Promise<StepOutcome<RestorePhase>> {
  const { ctx, ns, target, raw } = run;
  for (const d of await readDeployments(run)) {
    if ((d.spec?.replicas ?? 1) !== 0) {
      await mergePatch(ctx, deploymentRef(run, d.metadata?.name ?? ''), {
        spec: { replicas: 0 },
      });
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
  const observed = raw.status?.observedGeneration;
  const settled = !run.patchedNow && (observed ?? 0) >= (raw.metadata?.generation ?? 0);
  if (pods.items.length > 0 || !settled) {
    run.report('AppScaledDown', [
      'False',
      'ScalingDown',
      pods.items.length > 0
        ? `${pods.items.length} backend/worker pod(s) still running`
        : `waiting for the PmsInstance controller to apply maintenance (generation ${raw.metadata?.generation ?? '?'})`,
    ]);
    return { kind: 'wait', phase: 'ScalingDown', requeueAfterMs: POLL_MS };
  }
  run.report('AppScaledDown', ['True', 'ScaledDown', 'no backend or worker pod is running']);
  return next;
}

/**
 * The Job `pms-backup restore <key>`. On failure the instance stays in maintenance
 * (onFailure: KeepMaintenance, the default: the database may be half restored) or the next
 * steps bring the app back before the restore fails (RestoreApp).
 */
async function restoreData(run: RestoreRun): Promise<StepOutcome<RestorePhase>> {
  const { ctx, r, ns, jobName, objectKey, js } = run;
  if (js.state === 'failed') {
    const result = await jobResult(ctx, ns, jobName);
    const detail = typeof result?.error === 'string' ? result.error : undefined;
    const why = [`Job ${jobName} failed`, js.message, detail].filter(Boolean).join(': ');
    run.report('DataRestored', ['False', 'RestoreFailed', why]);
    if ((r.spec.onFailure ?? 'KeepMaintenance') === 'KeepMaintenance') {
      const msg =
        `${why}. The instance stays in maintenance with API and worker at zero (the database ` +
        `may be partly restored); its previous settings (${run.savedText}) are in the annotation ` +
        `${SAVED_ANNOTATION} and a new PmsRestore puts them back when it succeeds`;
      run.report('AppRestored', ['False', 'KeptInMaintenance', msg]);
      return { kind: 'fail', reason: 'RestoreFailed', message: msg };
    }
    run.failure = why;
    return next;
  }
  if (js.state === 'succeeded') {
    run.report('DataRestored', ['True', 'Restored', `restored ${objectKey}`]);
    return next;
  }
  run.fields.jobName = jobName;
  if (!run.job) {
    await ctx.apply(
      toClientModel(
        renderRestoreJob(run.instance, r, objectKey, run.destination) as KubernetesObject,
      ),
    );
    await ctx.events.record(
      r,
      'Normal',
      'JobCreated',
      `started Job ${jobName} restoring ${objectKey}`,
    );
  }
  run.report('DataRestored', ['Unknown', 'Restoring', `Job ${jobName} restoring ${objectKey}`]);
  return { kind: 'wait', phase: 'Restoring', requeueAfterMs: WAIT_MS * 4 };
}

/**
 * Puts the saved settings back (once: the patch removes the saved-settings annotation), then
 * waits for the app's pods to be ready.
 */
async function restoreApp(run: RestoreRun): Promise<StepOutcome<RestorePhase>> {
  const { ctx, r, ns, target, saved, savedText, annotations } = run;
  if (annotations[SAVED_ANNOTATION] !== undefined) {
    await mergePatch(ctx, instanceRef(run), {
      metadata: { annotations: { [SAVED_ANNOTATION]: null } },
      spec: {
        maintenance: saved.maintenance,
        backend: { replicas: saved.backendReplicas },
        worker: { replicas: saved.workerReplicas },
      },
    });
    for (const c of APP) {
      const name = childName(run.instance, c);
      const d = await readObject<DeploymentObject>(ctx, 'apps/v1', 'Deployment', ns, name);
      const want = c === 'backend' ? saved.backendReplicas : saved.workerReplicas;
      if (d && d.spec?.replicas !== want)
        await mergePatch(ctx, deploymentRef(run, name), { spec: { replicas: want } });
    }
    await ctx.events.record(r, 'Normal', 'AppRestored', `instance ${target} back to ${savedText}`);
  }
  const ready = (await readDeployments(run)).every(
    (d) =>
      (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 0),
  );
  if (!ready) {
    run.report('AppRestored', ['False', 'ScalingUp', `waiting for ${target}'s pods to be ready`]);
    return {
      kind: 'wait',
      phase: 'ScalingUp',
      requeueAfterMs: POLL_MS,
      ...(run.failure ? { error: run.failure } : {}),
    };
  }
  run.report('AppRestored', [
    'True',
    'AppRestored',
    run.failure ? `back to ${savedText} (onFailure: RestoreApp)` : `back to ${savedText}`,
  ]);
  return next;
}

/** Releases the lock and reports the end: success, or the failure the app came back from. */
async function complete(run: RestoreRun): Promise<StepOutcome<RestorePhase>> {
  if (run.failure) {
    return {
      kind: 'fail',
      reason: 'RestoreFailed',
      message: `${run.failure}; the app was brought back (onFailure: RestoreApp)`,
    };
  }
  const { ctx, r, target, objectKey } = run;
  run.report('Complete', ['True', 'Succeeded', `${target} restored from ${objectKey}`]);
  await run.letGo();
  if (await run.write('Succeeded')) {
    await ctx.events.record(
      r,
      'Normal',
      'RestoreSucceeded',
      `${target} restored from ${objectKey}`,
    );
  }
  return { kind: 'finished' };
}

/** Jobs the backup CronJob of `instance` started that have not finished. */
export async function runningScheduledBackups(
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

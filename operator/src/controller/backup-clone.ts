// spec.restoreFrom: a new instance starts from a backup (a tenant clone). Before the app first
// runs, the instance reconcile renders the Job `<name>-clone` (`pms-backup restore <key>` into
// the instance's own MongoDB and attachments bucket) and keeps backend, frontend and worker at
// 0 replicas; once the Job succeeded, status.restoredFrom records it and from then on nothing of
// this runs again (the Job is pruned, the app scales up). The CRD makes restoreFrom immutable
// and creation-only, so it can never be applied to an instance that already holds data.
//
// Steps, each a precondition on what the API server shows now (level-based):
//   recorded      status.restoredFrom set → done (nothing rendered, nothing gated)
//   source        resolve the archive: a Succeeded PmsBackup (any namespace; another
//                 namespace's must allow this one) in an external destination, or a bucket+key
//   data stores   in-cluster MongoDB (and MinIO with its bucket Job) ready
//   job           render the clone Job; Succeeded → record; Failed → Restored=False, app held
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, type PmsInstance } from '../api/spec.ts';
import {
  CONDITION,
  mergeConditions,
  type Condition,
  type ConditionInput,
  type PmsInstanceStatus,
} from '../api/status.ts';
import { BACKUP_KIND, type PmsBackup, type TBackupDestination } from '../api/backup.ts';
import { names } from '../render/names.ts';
import { cloneJobName, renderCloneJob } from '../render/restore-job.ts';
import type { Child } from '../render/types.ts';
import { jobState, type JobObject } from './backup-shared.ts';
import { readObject } from './read.ts';
import type { ReconcileContext } from './types.ts';

/** On a cross-namespace PmsBackup: the namespaces that may clone from it (comma list or *). */
export const ALLOW_CLONE_ANNOTATION = 'pms.io/allow-clone-to';

const APP = new Set(['backend', 'frontend', 'worker']);

export type ClonePlan =
  /** No restoreFrom, or it was applied (status.restoredFrom). */
  | { state: 'none' }
  /** The app is held at zero; `job` (when set) is rendered. */
  | {
      state: 'waiting' | 'restoring' | 'failed';
      reason: string;
      message: string;
      job?: Child;
    }
  /** The Job succeeded in this reconcile: record it (the Job stays rendered until then). */
  | { state: 'restored'; job: Child; restoredFrom: NonNullable<PmsInstanceStatus['restoredFrom']> };

type Source = { source: string; objectKey: string; destination: TBackupDestination };
type Problem = { state: 'waiting' | 'failed'; reason: string; message: string };

async function resolveSource(ctx: ReconcileContext, i: PmsInstance): Promise<Source | Problem> {
  const from = i.spec.restoreFrom;
  const o = from?.objectStorage;
  if (o) {
    return {
      source: `s3://${o.bucket}/${o.key}`,
      objectKey: o.key,
      destination: {
        endpoint: o.endpoint,
        bucket: o.bucket,
        ...(o.region ? { region: o.region } : {}),
        ...(o.usePathStyle !== undefined ? { usePathStyle: o.usePathStyle } : {}),
        credentialsSecretRef: o.credentialsSecretRef,
      },
    };
  }
  const ref = from?.backupRef;
  const ns = ref?.namespace ?? i.metadata.namespace;
  const what = `PmsBackup ${ns}/${ref?.name ?? ''}`;
  const b = await readObject<PmsBackup & KubernetesObject>(
    ctx,
    API_VERSION,
    BACKUP_KIND,
    ns,
    ref?.name ?? '',
  );
  if (!b) return { state: 'waiting', reason: 'BackupNotFound', message: `${what} not found` };
  if (ns !== i.metadata.namespace) {
    // The operator may read every namespace; a tenant may not borrow that to read another's.
    const allowed = (b.metadata.annotations?.[ALLOW_CLONE_ANNOTATION] ?? '')
      .split(',')
      .map((s) => s.trim());
    if (!allowed.includes('*') && !allowed.includes(i.metadata.namespace)) {
      return {
        state: 'failed',
        reason: 'CloneNotAllowed',
        message: `${what} is in another namespace and its annotation ${ALLOW_CLONE_ANNOTATION} does not list ${i.metadata.namespace}`,
      };
    }
  }
  if (b.status?.phase === 'Failed')
    return { state: 'failed', reason: 'BackupFailed', message: `${what} failed` };
  if (b.status?.phase !== 'Succeeded' || !b.status.objectKey)
    return {
      state: 'waiting',
      reason: 'BackupNotReady',
      message: `waiting for ${what} to succeed`,
    };
  const d = b.spec.destination;
  if (!d?.endpoint) {
    return {
      state: 'failed',
      reason: 'SourceUnreachable',
      message:
        `${what} is in ${b.spec.instanceRef.name}'s own object storage, which this instance cannot ` +
        'read; clone from a backup with an external destination (spec.destination.endpoint)',
    };
  }
  return {
    source: what,
    objectKey: b.status.objectKey,
    destination: { ...d, ...(b.status.bucket ? { bucket: b.status.bucket } : {}) },
  };
}

type Live = Map<string, KubernetesObject>;

interface WorkloadObject extends KubernetesObject {
  spec?: { replicas?: number };
  status?: { readyReplicas?: number };
}

/** What the data stores lack before a restore can run, or undefined when they are ready. */
function storesNotReady(i: PmsInstance, live: Live): string | undefined {
  const ready = (name: string) => {
    const w = live.get(`StatefulSet/${name}`) as WorkloadObject | undefined;
    return (w?.status?.readyReplicas ?? 0) >= Math.max(1, w?.spec?.replicas ?? 1);
  };
  if (!i.spec.mongodb.external && !ready(names.workload(i, 'mongodb')))
    return 'MongoDB is not ready';
  if (!i.spec.objectStorage.external) {
    if (!ready(names.workload(i, 'minio'))) return 'MinIO is not ready';
    const bucket = live.get(`Job/${names.minioBucketJob(i)}`) as JobObject | undefined;
    if (jobState(bucket).state !== 'succeeded') return 'the attachments bucket is not created yet';
  }
  return undefined;
}

export async function planClone(
  ctx: ReconcileContext,
  i: PmsInstance,
  status: PmsInstanceStatus | undefined,
  live: Live,
  now: () => Date,
): Promise<ClonePlan> {
  if (!i.spec.restoreFrom || status?.restoredFrom) return { state: 'none' };
  const src = await resolveSource(ctx, i);
  if ('state' in src) return src;
  const job = renderCloneJob(i, src.objectKey, src.destination);
  const liveJob = live.get(`Job/${cloneJobName(i)}`) as JobObject | undefined;
  if (!liveJob) {
    const notReady = storesNotReady(i, live);
    if (notReady) {
      return {
        state: 'waiting',
        reason: 'WaitingForDataStores',
        message: `${notReady}; restoring ${src.source} after`,
      };
    }
  }
  const js = jobState(liveJob);
  if (js.state === 'succeeded') {
    return {
      state: 'restored',
      job,
      restoredFrom: {
        source: src.source,
        objectKey: src.objectKey,
        time: js.completionTime ?? now().toISOString(),
      },
    };
  }
  if (js.state === 'failed') {
    return {
      state: 'failed',
      reason: 'RestoreFailed',
      message:
        `Job ${cloneJobName(i)} failed restoring ${src.source}: ${js.message ?? ''}. The app ` +
        'stays at zero; delete the Job to try again',
      job,
    };
  }
  return {
    state: 'restoring',
    reason: 'Restoring',
    message: `Job ${cloneJobName(i)} restoring ${src.source} (${src.objectKey})`,
    job,
  };
}

/**
 * The children for a plan: the clone Job added, and while the app is held, backend, frontend
 * and worker Deployments at 0 replicas (HPAs cannot scale a Deployment up from 0).
 */
export function withClone(children: Child[], plan: ClonePlan): Child[] {
  if (plan.state === 'none') return children;
  const held = plan.state !== 'restored';
  const out = children.map((c) =>
    held &&
    c.kind === 'Deployment' &&
    APP.has(c.metadata.labels['app.kubernetes.io/component'] ?? '')
      ? ({ ...c, spec: { ...(c.spec as Record<string, unknown>), replicas: 0 } } as Child)
      : c,
  );
  return plan.job ? [...out, plan.job] : out;
}

/**
 * Status with the clone: condition Restored whenever spec.restoreFrom is set, restoredFrom once
 * recorded (never rewritten), and while the app is held Ready=False / phase Provisioning (or
 * Failed) instead of a Ready computed from Deployments at 0.
 */
export function withCloneStatus(
  i: PmsInstance,
  status: PmsInstanceStatus,
  previous: PmsInstanceStatus | undefined,
  plan: ClonePlan,
  now: Date,
): PmsInstanceStatus {
  if (!i.spec.restoreFrom) return status;
  const g = i.metadata.generation;
  const restoredFrom =
    previous?.restoredFrom ?? (plan.state === 'restored' ? plan.restoredFrom : undefined);
  const cond = (c: Omit<ConditionInput, 'observedGeneration'>): Condition =>
    mergeConditions(
      previous?.conditions,
      [{ ...c, ...(g !== undefined ? { observedGeneration: g } : {}) }],
      now,
    )[0] as Condition;
  const restored = restoredFrom
    ? cond({
        type: CONDITION.Restored,
        status: 'True',
        reason: 'Restored',
        message: `restored ${restoredFrom.source} (${restoredFrom.objectKey}) at ${restoredFrom.time}`,
      })
    : plan.state !== 'none' && plan.state !== 'restored'
      ? cond({
          type: CONDITION.Restored,
          status: plan.state === 'failed' ? 'False' : 'Unknown',
          reason: plan.reason,
          message: plan.message,
        })
      : undefined;
  const conditions = [
    ...(status.conditions ?? []).filter((c) => c.type !== CONDITION.Restored),
    ...(restored ? [restored] : []),
  ];
  const next: PmsInstanceStatus = {
    ...status,
    conditions,
    ...(restoredFrom ? { restoredFrom } : {}),
  };
  if (plan.state === 'none' || plan.state === 'restored') return next;
  const ready = cond({
    type: CONDITION.Ready,
    status: 'False',
    reason: plan.state === 'failed' ? 'RestoreFailed' : 'RestoringFromBackup',
    message: plan.message,
  });
  return {
    ...next,
    phase: plan.state === 'failed' ? 'Failed' : 'Provisioning',
    conditions: conditions.map((c) => (c.type === CONDITION.Ready ? ready : c)),
  };
}

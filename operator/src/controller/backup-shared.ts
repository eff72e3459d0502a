// Helpers shared by the PmsBackup and PmsRestore controllers: merge patches, status writes
// only when something changed, and what a pms-backup Job reports.
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { mergeConditions, type Condition, type ConditionInput } from '../api/status.ts';
import { writeStatus, type StatusTarget } from './status-writer.ts';
import type { ReconcileContext } from './types.ts';
import { toWire } from './wire.ts';

/** JSON merge patch (null deletes a key), as a user's `kubectl patch --type merge` would. */
export async function mergePatch(
  ctx: ReconcileContext,
  target: { apiVersion: string; kind: string; name: string; namespace: string },
  patch: Record<string, unknown>,
): Promise<void> {
  const { apiVersion, kind, name, namespace } = target;
  const patchMeta = (patch.metadata ?? {}) as Record<string, unknown>;
  await ctx.client.patch(
    { apiVersion, kind, ...patch, metadata: { ...patchMeta, name, namespace } },
    undefined,
    undefined,
    'pms-operator',
    undefined,
    PatchStrategy.MergePatch,
  );
}

/**
 * Writes a PmsBackup's or PmsRestore's status (controller/status-writer.ts) with the
 * resourceVersion read as a precondition (a concurrent write is a 409 and the runtime
 * retries), only when it differs. Conditions keep lastTransitionTime unless their status
 * changed. On a write `obj` takes the new status and resourceVersion, so a second write in the
 * same reconcile compares with, and does not conflict with, the first. Returns whether it wrote.
 */
export async function writeRunStatus<S extends { conditions?: Condition[] }>(
  ctx: ReconcileContext,
  plural: string,
  obj: StatusTarget<S>,
  next: Omit<S, 'conditions'> & { conditions: ConditionInput[] },
  now: Date,
): Promise<boolean> {
  const status = {
    ...next,
    conditions: mergeConditions(obj.status?.conditions, next.conditions, now),
  } as unknown as S;
  const written = await writeStatus(ctx, obj, status, { plural, optimistic: true });
  if (!written) return false;
  obj.status = JSON.parse(JSON.stringify(status)) as S;
  if (obj.metadata && written.resourceVersion)
    obj.metadata.resourceVersion = written.resourceVersion;
  return true;
}

export interface JobObject extends KubernetesObject {
  spec?: { backoffLimit?: number };
  status?: {
    active?: number;
    failed?: number;
    succeeded?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: {
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }[];
  };
}

export interface JobState {
  state: 'absent' | 'pending' | 'running' | 'succeeded' | 'failed';
  startTime?: string;
  completionTime?: string;
  message?: string;
}

export function jobState(job: JobObject | undefined): JobState {
  if (!job) return { state: 'absent' };
  const s = job.status ?? {};
  const cond = (t: string) => s.conditions?.find((c) => c.type === t && c.status === 'True');
  const complete = cond('Complete');
  if (complete) {
    return {
      state: 'succeeded',
      ...(s.startTime ? { startTime: s.startTime } : {}),
      completionTime: s.completionTime ?? complete.lastTransitionTime ?? new Date().toISOString(),
    };
  }
  const failed = cond('Failed');
  if (failed) {
    return {
      state: 'failed',
      ...(s.startTime ? { startTime: s.startTime } : {}),
      completionTime: failed.lastTransitionTime ?? new Date().toISOString(),
      message: [failed.reason, failed.message].filter(Boolean).join(': '),
    };
  }
  if ((s.active ?? 0) > 0 || s.startTime) {
    return { state: 'running', ...(s.startTime ? { startTime: s.startTime } : {}) };
  }
  return { state: 'pending' };
}

interface PodObject extends KubernetesObject {
  status?: {
    containerStatuses?: {
      name: string;
      state?: { terminated?: { exitCode?: number; message?: string } };
    }[];
  };
}

/**
 * The termination messages of container `container` in the Job's pods, oldest pod first (pods
 * that ran no container, as under kwok, report nothing).
 */
export async function jobTerminationMessages(
  ctx: Pick<ReconcileContext, 'client'>,
  namespace: string,
  jobName: string,
  container: string,
): Promise<string[]> {
  const list = await ctx.client.list<PodObject>(
    'v1',
    'Pod',
    namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    `batch.kubernetes.io/job-name=${jobName}`,
  );
  return list.items
    .map((p) => toWire(p) as PodObject)
    .sort((a, b) =>
      String(a.metadata?.creationTimestamp ?? '').localeCompare(
        String(b.metadata?.creationTimestamp ?? ''),
      ),
    )
    .flatMap((p) => p.status?.containerStatuses ?? [])
    .filter((c) => c.name === container)
    .map((c) => c.state?.terminated?.message)
    .filter((m): m is string => !!m);
}

/** The JSON pms-backup wrote to /dev/termination-log, from the Job's most recent pod that reported one. */
export async function jobResult(
  ctx: Pick<ReconcileContext, 'client'>,
  namespace: string,
  jobName: string,
): Promise<Record<string, unknown> | undefined> {
  const messages = await jobTerminationMessages(ctx, namespace, jobName, 'pms-backup');
  for (const m of messages.reverse()) {
    try {
      const parsed = JSON.parse(m) as unknown;
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      // FallbackToLogsOnError: the last log lines, not JSON
      return { error: m.slice(-1000) };
    }
  }
  return undefined;
}

/** Whether `obj` is controlled by the object with `uid` (a Job we created, not a namesake). */
export const controlledBy = (obj: KubernetesObject, uid: string): boolean =>
  (obj.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.uid === uid);

/** `20261125T030000000Z`, the pms-backup timestamp format. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

export const isTerminal = (phase: string | undefined): boolean =>
  phase === 'Succeeded' || phase === 'Failed';

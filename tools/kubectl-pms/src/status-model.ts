// What `status` shows, as plain data (also the `-o json` form), built from API objects. Pure.
import type { KObject } from './kube.ts';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ChildHealth {
  kind: string;
  name: string;
  component: string;
  ready: number;
  desired: number;
  /** ok: all desired replicas ready; scaledDown: desired is 0; notReady otherwise. */
  health: 'ok' | 'scaledDown' | 'notReady';
}

export interface BackupRun {
  name: string;
  phase: string;
  created?: string;
  completed?: string;
  objectKey?: string;
  error?: string;
}

export interface StatusModel {
  name: string;
  namespace: string;
  phase: string;
  ready: string;
  url?: string;
  version?: string;
  specVersion?: string;
  generation?: number;
  observedGeneration?: number;
  conditions: Condition[];
  children: ChildHealth[];
  schedule?: {
    cronJob: string;
    schedule?: string;
    suspended: boolean;
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
  /** status.lastBackup: the most recent finished run, scheduled or on demand. */
  lastBackup?: { name?: string; time?: string; result?: string; location?: string };
  /** PmsBackups of this instance, newest first (at most 5). */
  backups: BackupRun[];
  /** The newest PmsRestore of this instance, if any. */
  restore?: BackupRun;
}

export interface InstanceSummary {
  name: string;
  namespace: string;
  ready: string;
  phase: string;
  version?: string;
  url?: string;
  lastBackup?: { time?: string; result?: string };
  created?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};

export function conditionsOf(o: KObject): Condition[] {
  const list = Array.isArray(o.status?.conditions) ? (o.status.conditions as unknown[]) : [];
  return list.map((c) => {
    const x = obj(c);
    return {
      type: str(x.type) ?? '?',
      status: str(x.status) ?? 'Unknown',
      ...(str(x.reason) ? { reason: str(x.reason) } : {}),
      ...(str(x.message) ? { message: str(x.message) } : {}),
      ...(str(x.lastTransitionTime) ? { lastTransitionTime: str(x.lastTransitionTime) } : {}),
    };
  });
}

function readyOf(o: KObject): string {
  return conditionsOf(o).find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

function lastBackupOf(o: KObject): StatusModel['lastBackup'] {
  const lb = obj(o.status?.lastBackup);
  if (Object.keys(lb).length === 0) return undefined;
  return {
    ...(str(lb.name) ? { name: str(lb.name) } : {}),
    ...(str(lb.time) ? { time: str(lb.time) } : {}),
    ...(str(lb.result) ? { result: str(lb.result) } : {}),
    ...(str(lb.location) ? { location: str(lb.location) } : {}),
  };
}

export function childHealth(o: KObject): ChildHealth {
  const desired = num(o.spec?.replicas) ?? 1;
  const ready = num(o.status?.readyReplicas) ?? 0;
  return {
    kind: o.kind ?? '?',
    name: o.metadata.name,
    component: o.metadata.labels?.['app.kubernetes.io/component'] ?? '?',
    ready,
    desired,
    health: desired === 0 ? 'scaledDown' : ready >= desired ? 'ok' : 'notReady',
  };
}

export function backupRun(o: KObject): BackupRun {
  const s = o.status ?? {};
  return {
    name: o.metadata.name,
    phase: str(s.phase) ?? 'Pending',
    ...(o.metadata.creationTimestamp ? { created: o.metadata.creationTimestamp } : {}),
    ...(str(s.completionTime) ? { completed: str(s.completionTime) } : {}),
    ...(str(s.objectKey) ? { objectKey: str(s.objectKey) } : {}),
    ...(str(s.error) ? { error: str(s.error) } : {}),
  };
}

const newestFirst = (a: KObject, b: KObject) =>
  (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
  b.metadata.name.localeCompare(a.metadata.name);

const refersTo = (name: string) => (o: KObject) => obj(o.spec?.instanceRef).name === name;

export function buildStatus(
  instance: KObject,
  workloads: readonly KObject[],
  cronJobs: readonly KObject[],
  backups: readonly KObject[],
  restores: readonly KObject[],
): StatusModel {
  const name = instance.metadata.name;
  const s = instance.status ?? {};
  const order = ['mongodb', 'redis', 'minio', 'backend', 'worker', 'frontend'];
  const rank = (c: ChildHealth) => (order.indexOf(c.component) + 100) % 100;
  const cron = cronJobs.find((c) => c.metadata.name === `${name}-backup`);
  const restore = [...restores].filter(refersTo(name)).sort(newestFirst)[0];
  const lastBackup = lastBackupOf(instance);
  return {
    name,
    namespace: instance.metadata.namespace ?? '',
    phase: str(s.phase) ?? 'Unknown',
    ready: readyOf(instance),
    ...(str(s.url) ? { url: str(s.url) } : {}),
    ...(str(s.version) ? { version: str(s.version) } : {}),
    ...(str(instance.spec?.version) ? { specVersion: str(instance.spec?.version) } : {}),
    ...(num(instance.metadata.generation) !== undefined
      ? { generation: num(instance.metadata.generation) }
      : {}),
    ...(num(s.observedGeneration) !== undefined
      ? { observedGeneration: num(s.observedGeneration) }
      : {}),
    conditions: conditionsOf(instance),
    children: workloads
      .map(childHealth)
      .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)),
    ...(cron
      ? {
          schedule: {
            cronJob: cron.metadata.name,
            ...(str(cron.spec?.schedule) ? { schedule: str(cron.spec?.schedule) } : {}),
            suspended: cron.spec?.suspend === true,
            ...(str(cron.status?.lastScheduleTime)
              ? { lastScheduleTime: str(cron.status?.lastScheduleTime) }
              : {}),
            ...(str(cron.status?.lastSuccessfulTime)
              ? { lastSuccessfulTime: str(cron.status?.lastSuccessfulTime) }
              : {}),
          },
        }
      : {}),
    ...(lastBackup ? { lastBackup } : {}),
    backups: [...backups].filter(refersTo(name)).sort(newestFirst).slice(0, 5).map(backupRun),
    ...(restore ? { restore: backupRun(restore) } : {}),
  };
}

export function summarize(instance: KObject): InstanceSummary {
  const s = instance.status ?? {};
  const lb = lastBackupOf(instance);
  return {
    name: instance.metadata.name,
    namespace: instance.metadata.namespace ?? '',
    ready: readyOf(instance),
    phase: str(s.phase) ?? 'Unknown',
    ...(str(s.version) ? { version: str(s.version) } : {}),
    ...(str(s.url) ? { url: str(s.url) } : {}),
    ...(lb ? { lastBackup: { time: lb.time, result: lb.result } } : {}),
    ...(instance.metadata.creationTimestamp
      ? { created: instance.metadata.creationTimestamp }
      : {}),
  };
}

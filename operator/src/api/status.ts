// PmsInstance status: conditions follow the Kubernetes API conventions (metav1.Condition).

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type Phase =
  'Provisioning' | 'Ready' | 'Degraded' | 'Failed' | 'Paused' | 'Hibernating' | 'Hibernated';

export interface ComponentStatus {
  ready: number;
  desired: number;
}

export interface PmsInstanceStatus {
  observedGeneration?: number;
  phase?: Phase;
  url?: string;
  version?: string;
  conditions?: Condition[];
  components?: Record<string, ComponentStatus>;
  lastBackup?: { name?: string; time?: string; result?: string; location?: string };
  /** spec.restoreFrom was applied: what, and when its Job completed. Never changes after. */
  restoredFrom?: { source: string; objectKey: string; time: string };
}

/** Condition types: one per component plus the summary `Ready`. */
export const CONDITION = {
  Ready: 'Ready',
  Backend: 'BackendReady',
  Frontend: 'FrontendReady',
  Worker: 'WorkerReady',
  MongoDB: 'MongoDBReady',
  Redis: 'RedisReady',
  ObjectStorage: 'ObjectStorageReady',
  /** spec.gateway: the HTTPRoute is applied (False when the Gateway API is not installed). */
  Route: 'RouteReady',
  /** spec.hibernate: True once every workload has 0 pods. */
  Hibernated: 'Hibernated',
  /** spec.restoreFrom: True once the clone Job restored the backup. */
  Restored: 'Restored',
  /** A spec.version change in flight (controller/upgrade.ts): migration Job, then roll-out. */
  Upgrading: 'Upgrading',
} as const;

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/**
 * Merges `next` into `previous`, keeping each condition's lastTransitionTime unless its status
 * changed (Kubernetes API conventions). Conditions not in `next` are dropped. Order follows `next`.
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  now: Date,
): Condition[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      old && old.status === c.status ? old.lastTransitionTime : now.toISOString();
    return { ...c, lastTransitionTime };
  });
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

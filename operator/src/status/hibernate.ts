// Status of a hibernating instance (spec.hibernate) and the Hibernated condition after waking.
// Pure, like compute.ts: the caller passes the live workloads.
import type { PmsInstance } from '../api/spec.ts';
import {
  CONDITION,
  findCondition,
  mergeConditions,
  type ComponentStatus,
  type ConditionInput,
  type PmsInstanceStatus,
} from '../api/status.ts';
import { instanceUrl } from '../render/names.ts';
import type { Observed } from './compute.ts';

/**
 * Hibernating: Ready=False (nothing serves), Hibernated=True once every live Deployment and
 * StatefulSet of the instance reports 0 pods (phase Hibernated), False with reason ScalingDown
 * while some still run (phase Hibernating). Component conditions keep their last value.
 */
export function hibernatedStatus(
  i: PmsInstance,
  observed: Observed,
  previous: PmsInstanceStatus | undefined,
  now: Date,
): PmsInstanceStatus {
  const gen = i.metadata.generation;
  const og = gen !== undefined ? { observedGeneration: gen } : {};
  const running: string[] = [];
  const components: Record<string, ComponentStatus> = {};
  for (const [name, w] of observed.workloads) {
    const pods = w.status?.replicas ?? 0;
    if (pods > 0 || (w.spec?.replicas ?? 0) > 0) running.push(`${name} (${pods})`);
    const key = name.slice(i.metadata.name.length + 1);
    components[key === 'minio' ? 'objectStorage' : key] = {
      ready: w.status?.readyReplicas ?? 0,
      desired: 0,
    };
  }
  const done = running.length === 0;
  const keep = [CONDITION.Ready, CONDITION.Hibernated] as string[];
  const others = (previous?.conditions ?? []).filter((c) => !keep.includes(c.type));
  const conds: ConditionInput[] = [
    {
      type: CONDITION.Ready,
      status: 'False',
      reason: 'Hibernated',
      message: 'spec.hibernate is true: every workload is scaled to zero',
      ...og,
    },
    done
      ? {
          type: CONDITION.Hibernated,
          status: 'True',
          reason: 'ScaledToZero',
          message:
            'no pod of the instance runs; PersistentVolumeClaims and Secrets are kept, backups suspended',
          ...og,
        }
      : {
          type: CONDITION.Hibernated,
          status: 'False',
          reason: 'ScalingDown',
          message: `waiting for pods to stop: ${running.join(', ')}`,
          ...og,
        },
    ...others.map(({ lastTransitionTime: _t, ...c }) => c),
  ];
  return {
    ...previous,
    ...og,
    phase: done ? 'Hibernated' : 'Hibernating',
    url: instanceUrl(i),
    conditions: mergeConditions(previous?.conditions, conds, now),
    components,
  };
}

/**
 * After waking (spec.hibernate false) an instance that hibernated keeps a Hibernated=False
 * condition (reason Awake), so `kubectl get -o yaml` shows when it woke; one that never
 * hibernated gets none.
 */
export function withWakeCondition(
  status: PmsInstanceStatus,
  previous: PmsInstanceStatus | undefined,
  now: Date,
): PmsInstanceStatus {
  const before = findCondition(previous?.conditions, CONDITION.Hibernated);
  if (!before) return status;
  const awake: ConditionInput = {
    type: CONDITION.Hibernated,
    status: 'False',
    reason: 'Awake',
    message: 'spec.hibernate is false: the instance runs',
    ...(status.observedGeneration !== undefined
      ? { observedGeneration: status.observedGeneration }
      : {}),
  };
  const [merged] = mergeConditions([before], [awake], now);
  return { ...status, conditions: [...(status.conditions ?? []), ...(merged ? [merged] : [])] };
}

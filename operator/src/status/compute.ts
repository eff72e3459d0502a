// Status from what the children report: one condition per component, Ready summarising them,
// the phase, the URL and ready/desired replicas. Pure: the caller passes the observed objects.
import type { PmsInstance } from '../api/spec.ts';
import {
  CONDITION,
  mergeConditions,
  type ComponentStatus,
  type ConditionInput,
  type Phase,
  type PmsInstanceStatus,
} from '../api/status.ts';
import { instanceUrl, names } from '../render/names.ts';

/** The fields of a live Deployment/StatefulSet that readiness depends on. */
export interface ObservedWorkload {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

/** A problem with a referenced user Secret, as the component condition's reason and message. */
export interface RefProblem {
  reason: string;
  message: string;
}

export interface Observed {
  /** Live workloads by name (absent when not found). */
  workloads: Map<string, ObservedWorkload>;
  /**
   * Problems with referenced user Secrets (external data stores), by component condition type;
   * a plain message means reason SecretNotFound.
   */
  missingRefs: Map<string, string | RefProblem>;
  /** Further conditions that count toward Ready (e.g. RouteReady), with a label for its message. */
  gates?: { label: string; condition: ConditionInput }[];
}

interface ComponentDef {
  key: string;
  condition: string;
  label: string;
  workload?: string;
  desired: number;
  /** An HPA owns the replica count: the live Deployment's spec.replicas is what is desired. */
  autoscaled?: boolean;
  mode: 'in-cluster' | 'external' | 'disabled';
}

function components(i: PmsInstance): ComponentDef[] {
  const s = i.spec;
  const app = (key: 'backend' | 'frontend' | 'worker', condition: string, label: string) => ({
    key,
    condition,
    label,
    workload: names.workload(i, key),
    desired: s[key].replicas,
    autoscaled: key !== 'worker' && s[key].autoscaling !== undefined,
    mode: s[key].enabled ? ('in-cluster' as const) : ('disabled' as const),
  });
  return [
    app('backend', CONDITION.Backend, 'backend'),
    app('frontend', CONDITION.Frontend, 'frontend'),
    app('worker', CONDITION.Worker, 'worker'),
    {
      key: 'mongodb',
      condition: CONDITION.MongoDB,
      label: 'MongoDB',
      workload: names.workload(i, 'mongodb'),
      desired: s.mongodb.replicas,
      mode: s.mongodb.external ? 'external' : 'in-cluster',
    },
    {
      key: 'redis',
      condition: CONDITION.Redis,
      label: 'Redis',
      workload: names.workload(i, 'redis'),
      desired: 1,
      mode: !s.redis.enabled ? 'disabled' : s.redis.external ? 'external' : 'in-cluster',
    },
    {
      key: 'objectStorage',
      condition: CONDITION.ObjectStorage,
      label: 'object storage',
      workload: names.workload(i, 'minio'),
      desired: 1,
      mode: s.objectStorage.external ? 'external' : 'in-cluster',
    },
  ];
}

/** A workload is ready when its controller has seen the latest spec and every pod is ready. */
export function workloadReady(w: ObservedWorkload, desired: number): boolean {
  const st = w.status ?? {};
  const seen = (st.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0);
  return (
    seen &&
    (st.replicas ?? 0) === desired &&
    (st.updatedReplicas ?? 0) === desired &&
    (st.readyReplicas ?? 0) === desired
  );
}

export function computeStatus(
  i: PmsInstance,
  observed: Observed,
  previous: PmsInstanceStatus | undefined,
  now: Date,
): PmsInstanceStatus {
  const gen = i.metadata.generation;
  const og = gen !== undefined ? { observedGeneration: gen } : {};
  const conds: ConditionInput[] = [];
  const comps: Record<string, ComponentStatus> = {};
  const notReady: string[] = [];
  for (const c of components(i)) {
    if (c.mode === 'disabled') {
      conds.push({
        type: c.condition,
        status: 'True',
        reason: 'Disabled',
        message: `${c.label} is disabled`,
        ...og,
      });
      continue;
    }
    if (c.mode === 'external') {
      const found = observed.missingRefs.get(c.condition);
      const problem =
        typeof found === 'string' ? { reason: 'SecretNotFound', message: found } : found;
      if (problem) {
        notReady.push(c.label);
        conds.push({
          type: c.condition,
          status: 'False',
          reason: problem.reason,
          message: problem.message,
          ...og,
        });
      } else {
        conds.push({
          type: c.condition,
          status: 'True',
          reason: 'External',
          message: `using the external ${c.label}`,
          ...og,
        });
      }
      continue;
    }
    const w = c.workload ? observed.workloads.get(c.workload) : undefined;
    const ready = w?.status?.readyReplicas ?? 0;
    if (c.autoscaled) c.desired = w?.spec?.replicas ?? c.desired;
    comps[c.key] = { ready, desired: c.desired };
    if (!w) {
      notReady.push(c.label);
      conds.push({
        type: c.condition,
        status: 'False',
        reason: 'NotFound',
        message: `${c.workload} does not exist yet`,
        ...og,
      });
    } else if (workloadReady(w, c.desired)) {
      conds.push({
        type: c.condition,
        status: 'True',
        reason: 'Ready',
        message: `${ready}/${c.desired} replicas ready`,
        ...og,
      });
    } else {
      notReady.push(c.label);
      const updated = w.status?.updatedReplicas ?? 0;
      const rolling = updated < c.desired && ready > 0;
      conds.push({
        type: c.condition,
        status: 'False',
        reason: rolling ? 'RollingUpdate' : 'NotReady',
        message: `${ready}/${c.desired} replicas ready, ${updated} updated`,
        ...og,
      });
    }
  }
  for (const g of observed.gates ?? []) {
    conds.push(g.condition);
    if (g.condition.status !== 'True') notReady.push(g.label);
  }
  const allReady = notReady.length === 0;
  conds.unshift(
    allReady
      ? {
          type: CONDITION.Ready,
          status: 'True',
          reason: 'AllComponentsReady',
          message: 'every component is ready',
          ...og,
        }
      : {
          type: CONDITION.Ready,
          status: 'False',
          reason: 'ComponentsNotReady',
          message: `not ready: ${notReady.join(', ')}`,
          ...og,
        },
  );
  let phase: Phase;
  if (allReady) phase = 'Ready';
  else if (previous?.phase === 'Ready' || previous?.phase === 'Degraded') phase = 'Degraded';
  else phase = 'Provisioning';
  return {
    ...previous,
    ...og,
    phase,
    url: instanceUrl(i),
    ...(allReady
      ? { version: i.spec.version }
      : previous?.version
        ? { version: previous.version }
        : {}),
    conditions: mergeConditions(previous?.conditions, conds, now),
    components: comps,
  };
}

/** Status of a paused instance: components keep their last conditions, Ready is Unknown. */
export function pausedStatus(
  i: PmsInstance,
  previous: PmsInstanceStatus | undefined,
  now: Date,
): PmsInstanceStatus {
  const gen = i.metadata.generation;
  const og = gen !== undefined ? { observedGeneration: gen } : {};
  const others = (previous?.conditions ?? []).filter((c) => c.type !== CONDITION.Ready);
  return {
    ...previous,
    ...og,
    phase: 'Paused',
    url: instanceUrl(i),
    conditions: mergeConditions(
      previous?.conditions,
      [
        {
          type: CONDITION.Ready,
          status: 'Unknown',
          reason: 'Paused',
          message: 'spec.paused is true: the operator does not change any child',
          ...og,
        },
        ...others.map(({ lastTransitionTime: _t, ...c }) => c),
      ],
      now,
    ),
  };
}

/** Status of an instance whose spec cannot be rendered. */
export function invalidSpecStatus(
  generation: number | undefined,
  message: string,
  previous: PmsInstanceStatus | undefined,
  now: Date,
): PmsInstanceStatus {
  const og = generation !== undefined ? { observedGeneration: generation } : {};
  const others = (previous?.conditions ?? []).filter((c) => c.type !== CONDITION.Ready);
  return {
    ...previous,
    ...og,
    phase: 'Failed',
    conditions: mergeConditions(
      previous?.conditions,
      [
        { type: CONDITION.Ready, status: 'False', reason: 'InvalidSpec', message, ...og },
        ...others.map(({ lastTransitionTime: _t, ...c }) => c),
      ],
      now,
    ),
  };
}

/** Deep equality of two JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, n) => jsonEqual(x, b[n]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

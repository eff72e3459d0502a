// Everything an instance consists of, as plain objects: the single entry point of render/.
import type { PmsInstance } from '../api/spec.ts';
import { renderBackupCronJob } from './backup-cronjob.ts';
import { renderAppConfigMap, renderMongoScriptsConfigMap } from './configmaps.ts';
import { renderIngress } from './ingress.ts';
import { renderJobs } from './jobs.ts';
import { renderNetworkPolicies } from './networkpolicies.ts';
import { renderPodDisruptionBudgets } from './pdbs.ts';
import { renderServiceMonitor } from './servicemonitor.ts';
import { renderServices } from './services.ts';
import type { Child } from './types.ts';
import { renderDeployments, renderStatefulSets } from './workloads.ts';

export { renderSecrets, type RandomSource } from './secrets.ts';
export type { Child } from './types.ts';

/** What the cluster serves beyond the built-in kinds (discovered by the controller). */
export interface ClusterCapabilities {
  /** monitoring.coreos.com/v1 servicemonitors (the Prometheus Operator's CRD) is served. */
  serviceMonitors: boolean;
}

/**
 * Every child except the generated Secrets (which are created once, see renderSecrets), in
 * the order they are applied: configuration before the workloads that read it. Optional kinds
 * (the ServiceMonitor) are rendered only when `caps` says the cluster serves them.
 */
export function renderChildren(
  i: PmsInstance,
  caps: ClusterCapabilities = { serviceMonitors: false },
): Child[] {
  return [
    renderAppConfigMap(i),
    ...(i.spec.mongodb.external ? [] : [renderMongoScriptsConfigMap(i)]),
    ...renderServices(i),
    ...renderStatefulSets(i),
    ...renderDeployments(i),
    ...renderJobs(i),
    ...renderBackupCronJob(i),
    ...renderIngress(i),
    ...renderNetworkPolicies(i),
    ...renderPodDisruptionBudgets(i),
    ...renderServiceMonitor(i, caps.serviceMonitors),
  ];
}

/** Kinds whose objects are created when absent and never updated (immutable or generated). */
export const CREATE_ONLY_KINDS: ReadonlySet<string> = new Set(['Secret', 'Job']);

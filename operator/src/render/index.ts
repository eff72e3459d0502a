// Everything an instance consists of, as plain objects: the single entry point of render/.
import type { PmsInstance } from '../api/spec.ts';
import { renderBackupCronJob } from './backup-cronjob.ts';
import { renderAppConfigMap, renderMongoScriptsConfigMap } from './configmaps.ts';
import { renderHorizontalPodAutoscalers } from './hpa.ts';
import { renderHttpRoute } from './httproute.ts';
import { renderIngress } from './ingress.ts';
import { renderJobs } from './jobs.ts';
import { renderNetworkPolicies, type ExternalStorePorts } from './networkpolicies.ts';
import { renderPodDisruptionBudgets } from './pdbs.ts';
import { renderServiceAccount } from './serviceaccount.ts';
import { renderServiceMonitor } from './servicemonitor.ts';
import { renderServices } from './services.ts';
import type { Child } from './types.ts';
import { renderDeployments, renderStatefulSets } from './workloads.ts';

export { renderSecrets, type RandomSource } from './secrets.ts';
export type { Child } from './types.ts';
export type { ExternalStorePorts } from './networkpolicies.ts';
export { ConnectionStringError, mongoUriPorts, redisUrlPorts } from './connection-ports.ts';

/** What the cluster serves beyond the built-in kinds (discovered by the controller). */
export interface ClusterCapabilities {
  /** monitoring.coreos.com/v1 servicemonitors (the Prometheus Operator's CRD) is served. */
  serviceMonitors: boolean;
  /** gateway.networking.k8s.io/v1 httproutes (the Gateway API CRDs) is served. */
  httpRoutes?: boolean;
}

/**
 * Every child except the generated Secrets (which are created once, see renderSecrets), in
 * the order they are applied: configuration before the workloads that read it. Optional kinds
 * (the ServiceMonitor) are rendered only when `caps` says the cluster serves them.
 * `externalStores`: the ports of external MongoDB/Redis, read from their Secrets by the
 * controller (no egress is opened to an external store whose ports are not given).
 */
export function renderChildren(
  i: PmsInstance,
  caps: ClusterCapabilities = { serviceMonitors: false },
  externalStores: ExternalStorePorts = {},
): Child[] {
  return [
    // First: the pods of every workload below run as it.
    renderServiceAccount(i),
    renderAppConfigMap(i),
    ...(i.spec.mongodb.external ? [] : [renderMongoScriptsConfigMap(i)]),
    ...renderServices(i),
    ...renderStatefulSets(i),
    ...renderDeployments(i),
    ...renderHorizontalPodAutoscalers(i),
    ...renderJobs(i),
    ...renderBackupCronJob(i),
    ...renderIngress(i),
    ...renderHttpRoute(i, caps.httpRoutes === true),
    ...renderNetworkPolicies(i, externalStores),
    ...renderPodDisruptionBudgets(i),
    ...renderServiceMonitor(i, caps.serviceMonitors),
  ];
}

/** A pod template as rendered: plain JSON. */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The pod template of a workload child (Deployment, StatefulSet, Job, CronJob), if it has one. */
export function podTemplateOf(c: Child): PodTemplate | undefined {
  type WithTemplate = { template?: PodTemplate; jobTemplate?: { spec?: WithTemplate } };
  const spec = c.spec as WithTemplate | undefined;
  return c.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template : spec?.template;
}

/** Kinds whose objects are created when absent and never updated (immutable or generated). */
export const CREATE_ONLY_KINDS: ReadonlySet<string> = new Set(['Secret', 'Job']);

// The kinds a PmsInstance owns. Their watch events requeue the owning instance (drift is
// repaired), and reconcile prunes objects of these kinds it no longer renders. Secrets are
// owned but never pruned (generated credentials outlive a configuration change).
//
// RBAC the PmsInstance controller needs (config/rbac): pmsinstances get/list/watch,
// pmsinstances/status get/update/patch; for every kind below (optional ones included)
// get/list/watch/create/patch/delete; persistentvolumeclaims get/patch (volume growth); events create/patch.
import type { WatchedKind } from './types.ts';

const k = (apiVersion: string, kind: string, plural: string): WatchedKind => ({
  apiVersion,
  kind,
  plural,
  namespaced: true,
});

export const OWNED_KINDS: WatchedKind[] = [
  k('v1', 'Secret', 'secrets'),
  k('v1', 'ServiceAccount', 'serviceaccounts'),
  k('v1', 'ConfigMap', 'configmaps'),
  k('v1', 'Service', 'services'),
  k('apps/v1', 'Deployment', 'deployments'),
  k('apps/v1', 'StatefulSet', 'statefulsets'),
  k('batch/v1', 'Job', 'jobs'),
  k('batch/v1', 'CronJob', 'cronjobs'),
  k('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  k('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  k('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  k('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
];

/**
 * Owned kinds that only some clusters serve (CRDs of other projects). They are not watched
 * from the start: the runtime starts a controller once all its informers have synced, and an
 * informer on a kind the cluster does not serve never syncs. Reconcile renders, applies and
 * prunes them only when API discovery says the kind is served (controller/discovery.ts) and
 * tells the runtime so (ChildCache.served), which then watches the kind like the others; until
 * that informer has synced the reconcile lists them.
 */
export const SERVICE_MONITOR: WatchedKind = k(
  'monitoring.coreos.com/v1',
  'ServiceMonitor',
  'servicemonitors',
);
/** The Gateway API's HTTPRoute (spec.gateway): its CRDs are not part of every cluster. */
export const HTTP_ROUTE: WatchedKind = k('gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes');
export const OPTIONAL_OWNED_KINDS: WatchedKind[] = [SERVICE_MONITOR, HTTP_ROUTE];

/** Kinds whose objects reconcile deletes when the spec no longer renders them. */
export const PRUNED_KINDS: WatchedKind[] = [...OWNED_KINDS, ...OPTIONAL_OWNED_KINDS].filter(
  (o) => o.kind !== 'Secret',
);

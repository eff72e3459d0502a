// The contract between the runtime (informers, queue, leader election: operator/src/runtime)
// and the reconcilers (operator/src/controller). Reconcilers never see the queue; the runtime
// never knows what a PmsInstance is.
import type { KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Logger } from '../log.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export interface ReconcileResult {
  /** Ask to be called again after this long even if nothing changes (e.g. waiting on a Job). */
  requeueAfterMs?: number;
}

export interface EventRecorder {
  /** Records a core/v1-compatible Event (type Normal|Warning, reason CamelCase) on `regarding`. */
  record(
    regarding: KubernetesObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void>;
}

/**
 * Read access to the runtime's owned-kind caches: informers that watch only objects with the
 * operator's managed-by label, indexed by namespace and instance label.
 */
export interface ChildCache {
  /**
   * The cached objects of `kind` in `namespace` whose instance label is `instance` (wire
   * JSON, shared with the cache: never mutate them), or undefined when the runtime does not
   * cache that kind (read it from the API server then).
   */
  children(kind: WatchedKind, namespace: string, instance: string): KubernetesObject[] | undefined;
  /**
   * A controller's primary object as last seen by its informer (wire JSON, shared: never
   * mutate it): null when the synced cache has no such object, undefined when the runtime does
   * not cache that kind or has not synced yet (read it from the API server then).
   */
  primary(kind: WatchedKind, namespace: string, name: string): KubernetesObject | null | undefined;
  /**
   * What discovery found for an optional owned kind (ControllerDefinition.optionalOwned):
   * served starts its informer (once; until it has synced `children` says undefined and the
   * reconcile lists), not served stops it (its CRD was removed).
   */
  served?(kind: WatchedKind, served: boolean): void;
}

export interface ReconcileContext {
  kc: KubeConfig;
  /** The owned-kind caches; absent when a reconcile runs outside the runtime (then: LIST). */
  cache?: ChildCache;
  client: KubernetesObjectApi;
  /** Server-side apply with field manager `pms-operator` and force; returns the live object. */
  apply<T extends KubernetesObject>(obj: T): Promise<T>;
  events: EventRecorder;
  log: Logger;
}

/** Thrown for errors that retrying cannot fix (bad spec): the runtime does not requeue them. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

export type Reconciler = (ctx: ReconcileContext, key: ObjectKey) => Promise<ReconcileResult>;

/** A kind the runtime watches: the primary kind of a controller or a kind it owns. */
export interface WatchedKind {
  apiVersion: string;
  kind: string;
  /** Plural resource name, e.g. `deployments`. */
  plural: string;
  /** Cluster-scoped kinds are not supported as owned kinds. */
  namespaced: true;
  /**
   * Optional: watch (and cache) only objects matching this label selector, e.g.
   * `app.kubernetes.io/managed-by=pms-operator` so that owning Secrets does not cache every
   * Secret of the cluster. An object that stops matching arrives as a delete, which still
   * requeues its owner.
   */
  labelSelector?: string;
}

export interface ControllerDefinition {
  name: string;
  primary: WatchedKind;
  /** Children whose changes requeue their controlling owner (found by ownerReference). */
  owned: WatchedKind[];
  /**
   * Owned kinds that only some clusters serve (CRDs of other projects). Not watched from the
   * start (an informer on a kind that is not served never syncs and would hold the controller
   * back): the reconcile reports discovery's answer through ChildCache.served, which starts
   * the informer once the kind is served.
   */
  optionalOwned?: WatchedKind[];
  reconcile: Reconciler;
}

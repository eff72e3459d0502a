// API discovery of optional kinds (CRDs of other projects, e.g. the Prometheus Operator's
// ServiceMonitor): GET /apis/<group>/<version> and look for the resource. A 404 means the
// group/version is not served; any other error is transient and fails the reconcile (retried
// with back-off) rather than being mistaken for "absent", which would prune live objects.
// Results are cached for a short TTL so a steady state costs one discovery call per TTL.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from '../kube-errors.ts';
import type { ClusterCapabilities } from '../render/index.ts';
import type { WatchedKind } from './types.ts';

export const DEFAULT_DISCOVERY_TTL_MS = 60_000;

/** Whether the cluster serves `kind` (apiVersion group/version and its plural resource). */
export async function isServed(kc: KubeConfig, kind: WatchedKind): Promise<boolean> {
  const [group, version] = kind.apiVersion.split('/');
  if (!group || !version) throw new Error(`not a group/version: ${kind.apiVersion}`);
  try {
    const list = await kc.makeApiClient(CustomObjectsApi).getAPIResources({ group, version });
    return (list.resources ?? []).some((r) => r.name === kind.plural && r.kind === kind.kind);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export interface DiscoveryOptions {
  ttlMs?: number;
  now?: () => number;
  /** The check itself (tests may inject one); defaults to isServed. */
  served?: (kc: KubeConfig, kind: WatchedKind) => Promise<boolean>;
}

/**
 * A cached `(kc, kind) => served` check: one entry per API server and kind, refreshed once
 * older than ttlMs. Concurrent reconciles share one in-flight request.
 */
export function makeDiscovery(opts: DiscoveryOptions = {}) {
  const ttlMs = opts.ttlMs ?? DEFAULT_DISCOVERY_TTL_MS;
  const now = opts.now ?? Date.now;
  const served = opts.served ?? isServed;
  const cache = new Map<string, { at: number; value: Promise<boolean> }>();
  return function discover(kc: KubeConfig, kind: WatchedKind): Promise<boolean> {
    const key = `${kc.getCurrentCluster()?.server ?? ''} ${kind.plural}.${kind.apiVersion}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = served(kc, kind);
    cache.set(key, { at: now(), value });
    // A failed check is not cached: the next reconcile asks again.
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  };
}

export type Discovery = ReturnType<typeof makeDiscovery>;

/** The optional kinds the cluster serves, as render/ wants them. */
export async function clusterCapabilities(
  kc: KubeConfig,
  discover: Discovery,
  kinds: { serviceMonitor: WatchedKind; httpRoute: WatchedKind },
): Promise<Required<ClusterCapabilities>> {
  const [serviceMonitors, httpRoutes] = await Promise.all([
    discover(kc, kinds.serviceMonitor),
    discover(kc, kinds.httpRoute),
  ]);
  return { serviceMonitors, httpRoutes };
}

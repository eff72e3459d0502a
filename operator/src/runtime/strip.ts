// What the owned-kind caches keep of an object: only what reconciles read. Pure.
//  - managedFields: only the entry of our own field manager (drift compares what the operator
//    applied with what it now renders, controller/drift.ts); other managers' entries are often
//    most of an object's size.
//  - the last-applied-configuration annotation of `kubectl apply` (a second copy of the object).
//  - Secret `data`/`stringData`: reconciles only need to know a generated Secret exists (they
//    never rewrite one), so the operator's memory never holds credentials it does not use.
//  - `status`, except where reconciles read it: Deployments and StatefulSets (readiness) and
//    Jobs (backup results). Other statuses (HPA metrics, Ingress load balancers, CronJob
//    active lists) are dropped.
import type { KubernetesObject } from '@kubernetes/client-node';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const STATUS_READ = new Set(['Deployment', 'StatefulSet', 'Job']);

/** Returns `obj` stripped in place (the informer owns the decoded object). */
export function stripForCache<T extends KubernetesObject>(obj: T, fieldManager?: string): T {
  const meta = obj.metadata;
  if (meta?.managedFields) {
    const own = fieldManager ? meta.managedFields.filter((m) => m.manager === fieldManager) : [];
    if (own.length > 0) meta.managedFields = own;
    else delete meta.managedFields;
  }
  if (meta?.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _dropped, ...rest } = meta.annotations;
    if (Object.keys(rest).length > 0) meta.annotations = rest;
    else delete meta.annotations;
  }
  const o = obj as T & { data?: unknown; stringData?: unknown; status?: unknown };
  if (obj.kind === 'Secret') {
    delete o.data;
    delete o.stringData;
  }
  if (obj.kind && !STATUS_READ.has(obj.kind)) delete o.status;
  return obj;
}

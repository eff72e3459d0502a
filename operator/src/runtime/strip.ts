// What the owned-kind caches keep of an object: only what reconciles read. Pure.
// The cache holds every child of every instance (about 20 per instance), so its size decides
// the operator's memory: a full Deployment is ~8 KB of JSON, its cached form a few hundred
// bytes. Reconciles read metadata, the status of workloads and Jobs, and a few spec fields;
// drift is decided from metadata (controller/drift-check.ts: the applied-hash annotation and
// who wrote the object after the operator), and only a suspected drift reads the full object.
//  - metadata: identity, labels, annotations (without kubectl's last-applied copy), owner
//    references, timestamps; managedFields reduced to who wrote what part when (manager,
//    operation, subresource, time), without their field sets.
//  - spec: only the fields reconciles read (SPEC_READ below).
//  - status: only of Deployments, StatefulSets (readiness) and Jobs (results).
//  - nothing else: Secret data, ConfigMap data, Service ports, pod templates stay on the server.
import type { KubernetesObject } from '@kubernetes/client-node';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const STATUS_READ = new Set(['Deployment', 'StatefulSet', 'Job']);

/** The spec fields each kind's readers use (status/, controller/ upgrade, clone, restore). */
const SPEC_READ: Record<string, readonly string[]> = {
  Deployment: ['replicas'],
  StatefulSet: ['replicas', 'volumeClaimTemplates'],
  Job: ['backoffLimit'],
  CronJob: ['suspend'],
};

const META_KEPT = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'labels',
  'ownerReferences',
  'finalizers',
] as const;

export interface CachedManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
}

type Meta = NonNullable<KubernetesObject['metadata']>;
type Loose = Record<string, unknown>;

/** A compact copy of `obj` with only what reconciles read (the input is not modified). */
export function stripForCache<T extends KubernetesObject>(obj: T): T {
  const meta = (obj.metadata ?? {}) as Meta & Loose;
  const m: Loose = {};
  for (const k of META_KEPT) if (meta[k] !== undefined) m[k] = meta[k];
  if (meta.annotations) {
    const { [LAST_APPLIED]: _dropped, ...rest } = meta.annotations;
    if (Object.keys(rest).length > 0) m.annotations = rest;
  }
  if (meta.managedFields) {
    m.managedFields = meta.managedFields.map((e) => {
      const c: CachedManagedFieldsEntry = {};
      if (e.manager !== undefined) c.manager = e.manager;
      if (e.operation !== undefined) c.operation = e.operation;
      if (e.subresource !== undefined) c.subresource = e.subresource;
      if (e.time !== undefined) c.time = e.time as unknown as string;
      return c;
    });
  }
  const out: Loose = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: m };
  const full = obj as T & { spec?: Loose; status?: unknown };
  const specFields = SPEC_READ[obj.kind ?? ''];
  if (specFields && full.spec) {
    const spec: Loose = {};
    for (const f of specFields) if (full.spec[f] !== undefined) spec[f] = full.spec[f];
    out.spec = spec;
  }
  if (STATUS_READ.has(obj.kind ?? '') && full.status !== undefined) out.status = full.status;
  return out as T;
}

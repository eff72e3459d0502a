// Children of a PmsInstance on the API server: read (as wire JSON), create the generated
// Secrets when absent, apply what drifted, prune what the spec no longer renders.
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseQuantity, type PmsInstance } from '../api/spec.ts';
import { createIfAbsent } from '../apply/apply.ts';
import { apiErrorCode, isNotFound } from '../kube-errors.ts';
import { CREATE_ONLY_KINDS, type Child } from '../render/index.ts';
import { MANAGED_BY } from '../render/labels.ts';
import type { ObservedWorkload } from '../status/compute.ts';
import { DriftChecker, withAppliedHash } from './drift-check.ts';
import { OWNED_KINDS, PRUNED_KINDS } from './owned.ts';
import { readObject } from './read.ts';
import type { ReconcileContext, WatchedKind } from './types.ts';
import { toClientModel, toWire } from './wire.ts';

export const ref = (o: { kind: string; metadata: { name: string } }) =>
  `${o.kind}/${o.metadata.name}`;

/** StatefulSet volume claim templates are immutable: keep the live ones and grow PVCs directly. */
async function prepareStatefulSet(
  ctx: ReconcileContext,
  owner: KubernetesObject,
  desired: Child,
  live: KubernetesObject | undefined,
): Promise<string[]> {
  if (!live) return [];
  type Vct = { spec?: { resources?: { requests?: Record<string, unknown> } } };
  const dSpec = desired.spec as { replicas: number; volumeClaimTemplates: Vct[] };
  const lSpec = (live as { spec?: { volumeClaimTemplates?: Vct[] } }).spec;
  const want = String(dSpec.volumeClaimTemplates[0]?.spec?.resources?.requests?.storage ?? '');
  const had = String(lSpec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage ?? want);
  const tmpl = dSpec.volumeClaimTemplates[0]?.spec?.resources?.requests;
  if (tmpl) tmpl.storage = had;
  const grown: string[] = [];
  if ((parseQuantity(want) ?? 0) <= (parseQuantity(had) ?? 0)) return grown;
  for (let n = 0; n < dSpec.replicas; n++) {
    const header = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: `data-${desired.metadata.name}-${n}`,
        namespace: desired.metadata.namespace,
      },
    };
    const pvc = await readObject<KubernetesObject & Vct>(
      ctx,
      header.apiVersion,
      header.kind,
      header.metadata.namespace,
      header.metadata.name,
    );
    const size = String(pvc?.spec?.resources?.requests?.storage ?? '');
    if (pvc && (parseQuantity(size) ?? 0) < (parseQuantity(want) ?? 0)) {
      try {
        await ctx.apply(
          toClientModel({ ...header, spec: { resources: { requests: { storage: want } } } }),
        );
        grown.push(`PersistentVolumeClaim/${header.metadata.name}`);
      } catch (err) {
        // E.g. a StorageClass without allowVolumeExpansion: report it, reconcile the rest.
        const code = apiErrorCode(err);
        if (code !== 422 && code !== 403) throw err;
        await ctx.events.record(
          owner,
          'Warning',
          'VolumeExpansionFailed',
          `cannot grow ${header.metadata.name} to ${want} (HTTP ${code}); does its StorageClass allow volume expansion?`,
        );
      }
    }
  }
  return grown;
}

/** Live children of an instance as wire JSON, keyed `Kind/name`. */
export type LiveChildren = Map<string, KubernetesObject>;

const key = (kind: string, name: string) => `${kind}/${name}`;

/**
 * Everything the instance may own (selected by the instance and managed-by labels), from the
 * runtime's owned-kind caches (informers that watch only managed-by objects, indexed by
 * namespace and instance): no request. Kinds the runtime does not cache yet (an optional kind
 * whose informer has not synced since discovery found it served, or a reconcile run without
 * the runtime) are read with one LIST each. An object that lost those labels is not seen: it counts as missing and the next
 * apply takes it back.
 *
 * A cache may lag a write by a watch event: a child just applied then looks drifted and is
 * applied once more, which server-side apply makes a no-op (no new resourceVersion, so no
 * event and no loop); a Secret or Job just created looks missing and its create answers 409.
 */
export async function listChildren(
  ctx: ReconcileContext,
  i: PmsInstance,
  optionalKinds: WatchedKind[] = [],
): Promise<LiveChildren> {
  const selector = `app.kubernetes.io/instance=${i.metadata.name},app.kubernetes.io/managed-by=${MANAGED_BY}`;
  const live: LiveChildren = new Map();
  const { namespace, name } = i.metadata;
  for (const kind of [...OWNED_KINDS, ...optionalKinds]) {
    const cached = ctx.cache?.children(kind, namespace, name);
    if (cached) {
      for (const obj of cached) {
        if (obj.metadata?.labels?.['app.kubernetes.io/managed-by'] !== MANAGED_BY) continue;
        live.set(key(kind.kind, obj.metadata?.name ?? ''), obj);
      }
      continue;
    }
    const list = await ctx.client.list(
      kind.apiVersion,
      kind.kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      selector,
    );
    for (const item of list.items) {
      // List items carry no apiVersion/kind; the serializer needs them to map field names.
      const obj = toWire({ ...item, apiVersion: kind.apiVersion, kind: kind.kind });
      live.set(key(kind.kind, obj.metadata?.name ?? ''), obj);
    }
  }
  return live;
}

/** Creates each Secret that does not exist; never touches an existing one. */
export async function ensureSecrets(
  ctx: ReconcileContext,
  secrets: Child[],
  live: LiveChildren,
): Promise<string[]> {
  const created: string[] = [];
  for (const secret of secrets) {
    if (live.has(key('Secret', secret.metadata.name))) continue;
    const r = await createIfAbsent(ctx.client, toClientModel(secret as KubernetesObject), {
      knownAbsent: true,
    });
    if (r.created) created.push(ref(secret));
  }
  return created;
}

export interface ApplyOutcome {
  created: string[];
  applied: string[];
  /** The instance changed since it was read: nothing was applied, reconcile again. */
  stale?: boolean;
  /** Live Deployments and StatefulSets by name, for status. */
  workloads: Map<string, ObservedWorkload>;
}

/**
 * Brings every desired child to the API server: create-only kinds when missing, the rest by
 * server-side apply when missing or drifted. Nothing is written for a child already in sync.
 */
export async function applyChildren(
  ctx: ReconcileContext,
  owner: KubernetesObject,
  desired: Child[],
  current: LiveChildren,
  stillCurrent: () => Promise<boolean> = async () => true,
  checker: DriftChecker = new DriftChecker(),
): Promise<ApplyOutcome> {
  const out: ApplyOutcome = { created: [], applied: [], workloads: new Map() };
  let checked = false;
  for (const child of desired) {
    let live = current.get(key(child.kind, child.metadata.name));
    if (CREATE_ONLY_KINDS.has(child.kind)) {
      if (!live) {
        const r = await createIfAbsent(ctx.client, toClientModel(child as KubernetesObject), {
          knownAbsent: true,
        });
        if (r.created) out.created.push(ref(child));
      }
      continue;
    }
    if (child.kind === 'StatefulSet')
      out.applied.push(...(await prepareStatefulSet(ctx, owner, child, live)));
    const applied = withAppliedHash(child) as Child & KubernetesObject;
    const readFull = () =>
      readObject<KubernetesObject>(
        ctx,
        child.apiVersion,
        child.kind,
        child.metadata.namespace ?? '',
        child.metadata.name,
      );
    const drift = live ? await checker.drift(applied, live, readFull) : ['(missing)'];
    if (drift.length > 0) {
      // Before the first change to an existing child, make sure the spec rendered is still the
      // latest: a stale reconcile must not undo what another writer (e.g. a restore scaling to
      // zero) just did. Creating a missing child undoes nothing, so it needs no such read.
      if (!checked && live) {
        checked = true;
        if (!(await stillCurrent())) return { ...out, stale: true };
      }
      ctx.log.debug('applying child', { child: ref(child), drift: drift.slice(0, 5) });
      live = toWire(await ctx.apply(toClientModel(applied)));
      checker.remember(live);
      out.applied.push(ref(child));
    }
    if (child.kind === 'Deployment' || child.kind === 'StatefulSet')
      out.workloads.set(child.metadata.name, live as ObservedWorkload);
  }
  return out;
}

/** Deletes children of kinds we own that the current spec no longer renders. */
export async function prune(
  ctx: ReconcileContext,
  i: PmsInstance,
  desired: Child[],
  live: LiveChildren,
): Promise<string[]> {
  const keep = new Set(desired.map((d) => key(d.kind, d.metadata.name)));
  const prunable = new Set(PRUNED_KINDS.map((k) => k.kind));
  const pruned: string[] = [];
  for (const [k, item] of live) {
    const ours = item.metadata?.ownerReferences?.some(
      (o) => o.controller && o.uid === i.metadata.uid,
    );
    if (!prunable.has(item.kind ?? '') || !ours || keep.has(k) || item.metadata?.deletionTimestamp)
      continue;
    try {
      await ctx.client.delete(
        {
          apiVersion: item.apiVersion,
          kind: item.kind,
          metadata: { name: item.metadata?.name, namespace: i.metadata.namespace },
        },
        undefined,
        undefined,
        undefined,
        undefined,
        'Background',
      );
      pruned.push(k);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return pruned;
}

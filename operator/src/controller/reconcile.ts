// The PmsInstance reconcile: read → (paused?) → render → create missing Secrets → apply what
// drifted → prune what is no longer rendered → status from the children → /status only when it
// changed. Level-based and idempotent; the steady state makes read calls only.
import { randomBytes } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  API_GROUP,
  API_VERSION,
  InvalidSpecError,
  KIND,
  PLURAL,
  parseInstance,
  parseQuantity,
  type PmsInstance,
} from '../api/spec.ts';
import { CONDITION, findCondition, type PmsInstanceStatus } from '../api/status.ts';
import { apiErrorCode, createIfAbsent } from '../apply/apply.ts';
import { CREATE_ONLY_KINDS, renderChildren, renderSecrets, type Child } from '../render/index.ts';
import { MANAGED_BY } from '../render/labels.ts';
import {
  computeStatus,
  invalidSpecStatus,
  jsonEqual,
  pausedStatus,
  type Observed,
  type ObservedWorkload,
} from '../status/compute.ts';
import { driftPaths } from './drift.ts';
import { PRUNED_KINDS } from './owned.ts';
import { toClientModel, toWire } from './wire.ts';
import {
  PermanentError,
  type ObjectKey,
  type ReconcileContext,
  type ReconcileResult,
} from './types.ts';

/** While not Ready, look again this often even if no watch event arrives. */
export const NOT_READY_REQUEUE_MS = 30_000;

interface RawInstance extends KubernetesObject {
  spec?: unknown;
  status?: PmsInstanceStatus;
}

const ref = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;

async function readOrUndefined<T extends KubernetesObject>(
  ctx: ReconcileContext,
  header: { apiVersion: string; kind: string; metadata: { name: string; namespace: string } },
): Promise<T | undefined> {
  try {
    return toWire(await ctx.client.read<T>(header));
  } catch (err) {
    if (apiErrorCode(err) === 404) return undefined;
    throw err;
  }
}

/** Writes status through the /status subresource when it differs from what is stored. */
async function writeStatus(
  ctx: ReconcileContext,
  raw: RawInstance,
  status: PmsInstanceStatus,
): Promise<boolean> {
  if (jsonEqual(raw.status ?? {}, status)) return false;
  const api = ctx.kc.makeApiClient(CustomObjectsApi);
  try {
    // PUT with the resourceVersion we read: a concurrent change is a 409 and the runtime retries.
    await api.replaceNamespacedCustomObjectStatus({
      group: API_GROUP,
      version: API_VERSION.split('/')[1] ?? 'v1alpha1',
      namespace: raw.metadata?.namespace ?? '',
      plural: PLURAL,
      name: raw.metadata?.name ?? '',
      body: { ...raw, status },
    });
  } catch (err) {
    if (apiErrorCode(err) === 404) return false; // deleted meanwhile
    throw err;
  }
  return true;
}

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
    const pvc = await readOrUndefined<KubernetesObject & Vct>(ctx, header);
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

/** Problems with user Secrets that external data stores point at, by condition type. */
async function checkExternalRefs(
  ctx: ReconcileContext,
  i: PmsInstance,
): Promise<Map<string, string>> {
  const refs: [string, { name: string; keys: string[] }][] = [];
  const s = i.spec;
  if (s.mongodb.external)
    refs.push([
      CONDITION.MongoDB,
      { name: s.mongodb.external.uriSecretRef.name, keys: [s.mongodb.external.uriSecretRef.key] },
    ]);
  if (s.redis.enabled && s.redis.external)
    refs.push([
      CONDITION.Redis,
      { name: s.redis.external.urlSecretRef.name, keys: [s.redis.external.urlSecretRef.key] },
    ]);
  if (s.objectStorage.external) {
    const c = s.objectStorage.external.credentialsSecretRef;
    refs.push([CONDITION.ObjectStorage, { name: c.name, keys: [c.accessKeyKey, c.secretKeyKey] }]);
  }
  const problems = new Map<string, string>();
  for (const [type, r] of refs) {
    const secret = await readOrUndefined<KubernetesObject & { data?: Record<string, string> }>(
      ctx,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: r.name, namespace: i.metadata.namespace },
      },
    );
    if (!secret) problems.set(type, `Secret ${r.name} not found`);
    else {
      const missing = r.keys.filter((k) => secret.data?.[k] === undefined);
      if (missing.length > 0)
        problems.set(type, `Secret ${r.name} has no key ${missing.join(', ')}`);
    }
  }
  return problems;
}

/** Deletes children of kinds we own that the current spec no longer renders. */
async function prune(ctx: ReconcileContext, i: PmsInstance, desired: Child[]): Promise<string[]> {
  const keep = new Set(desired.map((d) => `${d.kind}/${d.metadata.name}`));
  const selector = `app.kubernetes.io/instance=${i.metadata.name},app.kubernetes.io/managed-by=${MANAGED_BY}`;
  const pruned: string[] = [];
  for (const kind of PRUNED_KINDS) {
    const list = await ctx.client.list(
      kind.apiVersion,
      kind.kind,
      i.metadata.namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      selector,
    );
    for (const item of list.items) {
      const name = item.metadata?.name ?? '';
      const ours = item.metadata?.ownerReferences?.some(
        (o) => o.controller && o.uid === i.metadata.uid,
      );
      if (!ours || keep.has(`${kind.kind}/${name}`) || item.metadata?.deletionTimestamp) continue;
      try {
        await ctx.client.delete(
          {
            apiVersion: kind.apiVersion,
            kind: kind.kind,
            metadata: { name, namespace: i.metadata.namespace },
          },
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        );
        pruned.push(`${kind.kind}/${name}`);
      } catch (err) {
        if (apiErrorCode(err) !== 404) throw err;
      }
    }
  }
  return pruned;
}

export interface ReconcileOptions {
  /** CSPRNG for generated credentials (tests may inject a deterministic one). */
  random?: (n: number) => Uint8Array;
  /** Children rendered in addition to renderChildren (e.g. the backup CronJob). */
  extraChildren?: (i: PmsInstance) => Child[];
  now?: () => Date;
}

export function makeReconciler(opts: ReconcileOptions = {}) {
  const random = opts.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const now = opts.now ?? (() => new Date());

  return async function reconcilePmsInstance(
    ctx: ReconcileContext,
    key: ObjectKey,
  ): Promise<ReconcileResult> {
    const raw = await readOrUndefined<RawInstance>(ctx, {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: key,
    });
    // Gone, or going: children are dependents and the garbage collector removes them.
    if (!raw || raw.metadata?.deletionTimestamp) return {};

    let instance: PmsInstance;
    try {
      instance = parseInstance(raw as Parameters<typeof parseInstance>[0]);
    } catch (err) {
      if (!(err instanceof InvalidSpecError)) throw err;
      const status = invalidSpecStatus(raw.metadata?.generation, err.message, raw.status, now());
      if (await writeStatus(ctx, raw, status)) {
        await ctx.events.record(raw, 'Warning', 'InvalidSpec', err.message);
      }
      throw new PermanentError(`invalid spec: ${err.message}`);
    }

    if (instance.spec.paused) {
      if (await writeStatus(ctx, raw, pausedStatus(instance, raw.status, now()))) {
        await ctx.events.record(
          raw,
          'Normal',
          'Paused',
          'spec.paused is true: children are left as they are',
        );
      }
      return {};
    }

    // Generated credentials: created when absent, never rewritten.
    const created: string[] = [];
    for (const secret of renderSecrets(instance, random)) {
      const r = await createIfAbsent(ctx.client, toClientModel(secret as KubernetesObject));
      if (r.created) created.push(ref(secret));
    }

    const desired = [...renderChildren(instance), ...(opts.extraChildren?.(instance) ?? [])];
    const applied: string[] = [];
    const workloads = new Map<string, ObservedWorkload>();
    try {
      for (const child of desired) {
        const header = {
          apiVersion: child.apiVersion,
          kind: child.kind,
          metadata: { name: child.metadata.name, namespace: child.metadata.namespace },
        };
        let live = await readOrUndefined<KubernetesObject>(ctx, header);
        if (CREATE_ONLY_KINDS.has(child.kind)) {
          if (!live) {
            const r = await createIfAbsent(ctx.client, toClientModel(child as KubernetesObject));
            if (r.created) created.push(ref(child));
          }
          continue;
        }
        if (child.kind === 'StatefulSet')
          applied.push(...(await prepareStatefulSet(ctx, raw, child, live)));
        const drift = live ? driftPaths(child, live) : ['(missing)'];
        if (drift.length > 0) {
          ctx.log.debug('applying child', { child: ref(child), drift: drift.slice(0, 5) });
          live = toWire(await ctx.apply(toClientModel(child as KubernetesObject)));
          applied.push(ref(child));
        }
        if (child.kind === 'Deployment' || child.kind === 'StatefulSet')
          workloads.set(child.metadata.name, live as ObservedWorkload);
      }
    } catch (err) {
      const message = `applying children failed: ${(err as Error).message}`;
      await ctx.events.record(raw, 'Warning', 'ApplyFailed', message);
      throw err;
    }
    const pruned = await prune(ctx, instance, desired);

    if (created.length > 0)
      await ctx.events.record(raw, 'Normal', 'Created', `created ${created.join(', ')}`);
    if (applied.length > 0)
      await ctx.events.record(raw, 'Normal', 'Applied', `applied ${applied.join(', ')}`);
    if (pruned.length > 0)
      await ctx.events.record(raw, 'Normal', 'Pruned', `deleted ${pruned.join(', ')}`);

    const observed: Observed = { workloads, missingRefs: await checkExternalRefs(ctx, instance) };
    const status = computeStatus(instance, observed, raw.status, now());
    const wasReady = findCondition(raw.status?.conditions, CONDITION.Ready)?.status === 'True';
    const ready = findCondition(status.conditions, CONDITION.Ready);
    if (await writeStatus(ctx, raw, status)) {
      if (ready?.status === 'True' && !wasReady)
        await ctx.events.record(
          raw,
          'Normal',
          'Ready',
          `every component is ready (version ${instance.spec.version})`,
        );
      if (ready?.status === 'False' && wasReady)
        await ctx.events.record(raw, 'Warning', 'Degraded', ready.message);
    }
    return ready?.status === 'True' ? {} : { requeueAfterMs: NOT_READY_REQUEUE_MS };
  };
}

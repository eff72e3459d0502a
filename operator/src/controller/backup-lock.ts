// The data lock of one instance: a coordination.k8s.io/v1 Lease `<instance>-data-lock` that
// every PmsBackup and PmsRestore of the instance holds while its Job may touch the data, so a
// backup never reads a half-restored database and two restores never interleave.
//
// Exclusion comes from the API server's optimistic concurrency, not from the operator's memory:
// the lock is taken by a create (409 AlreadyExists: someone was first) or by an update that
// carries the resourceVersion just read (409 Conflict: someone changed it in between). Two
// reconciles racing for it — of two controllers, or of two operator replicas during a
// leadership hand-over — cannot both win.
//
// The holder is an API object, not a process: `spec.holderIdentity` is `<Kind>/<name>` and the
// annotation `pms.io/holder-uid` its uid. The lock has no expiry (a restore can take hours);
// instead a lock whose holder no longer exists, is a namesake with another uid, is being deleted
// or has finished is stale and may be taken over. Releasing clears the holder (an update with
// the resourceVersion read); the Lease object itself stays, owned by the instance, and goes with
// it through the garbage collector.
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION } from '../api/spec.ts';
import { isConflict, isNotFound } from '../kube-errors.ts';
import { isTerminal, mergePatch } from './backup-shared.ts';
import { readObject } from './read.ts';
import type { ReconcileContext } from './types.ts';
import { toClientModel } from './wire.ts';

export const HOLDER_UID_ANNOTATION = 'pms.io/holder-uid';

export type LockKind = 'PmsBackup' | 'PmsRestore';

export interface LockHolder {
  kind: LockKind;
  name: string;
  uid: string;
}

/** The instance a lock belongs to (its uid makes the Lease a dependent of the instance). */
export interface LockTarget {
  namespace: string;
  name: string;
  uid?: string;
}

export type LockResult =
  { held: true } | { held: false; holder: string; kind: LockKind | undefined };

interface LeaseObject extends KubernetesObject {
  spec?: { holderIdentity?: string | null; acquireTime?: unknown; renewTime?: unknown };
}

export const dataLockName = (instance: string): string => `${instance}-data-lock`;

export const holderIdentity = (h: Pick<LockHolder, 'kind' | 'name'>): string =>
  `${h.kind}/${h.name}`;

function parseIdentity(
  id: string | null | undefined,
): { kind: LockKind; name: string } | undefined {
  const m = /^(PmsBackup|PmsRestore)\/(.+)$/.exec(id ?? '');
  return m ? { kind: m[1] as LockKind, name: m[2] ?? '' } : undefined;
}

const readLease = (ctx: ReconcileContext, t: LockTarget) =>
  readObject<LeaseObject>(
    ctx,
    'coordination.k8s.io/v1',
    'Lease',
    t.namespace,
    dataLockName(t.name),
  );

/** Whether the lease's holder is a live, unfinished PmsBackup/PmsRestore (the same object). */
async function holderAlive(
  ctx: ReconcileContext,
  namespace: string,
  lease: LeaseObject,
): Promise<boolean> {
  const id = parseIdentity(lease.spec?.holderIdentity);
  if (!id) return false;
  const o = await readObject<KubernetesObject & { status?: { phase?: string } }>(
    ctx,
    API_VERSION,
    id.kind,
    namespace,
    id.name,
  );
  return (
    o !== undefined &&
    !o.metadata?.deletionTimestamp &&
    o.metadata?.uid === lease.metadata?.annotations?.[HOLDER_UID_ANNOTATION] &&
    !isTerminal(o.status?.phase)
  );
}

function leaseBody(t: LockTarget, me: LockHolder, base?: LeaseObject): LeaseObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(base?.metadata ?? {}),
      name: dataLockName(t.name),
      namespace: t.namespace,
      labels: {
        ...(base?.metadata?.labels ?? {}),
        'app.kubernetes.io/instance': t.name,
        'app.kubernetes.io/managed-by': 'pms-operator',
        'app.kubernetes.io/part-of': 'pms',
      },
      annotations: { ...(base?.metadata?.annotations ?? {}), [HOLDER_UID_ANNOTATION]: me.uid },
      ...(t.uid && !base
        ? {
            ownerReferences: [
              { apiVersion: API_VERSION, kind: 'PmsInstance', name: t.name, uid: t.uid },
            ],
          }
        : {}),
    },
    spec: { holderIdentity: holderIdentity(me) },
  };
}

/**
 * Takes the lock for `me`, or reports who holds it. Idempotent: the holder calling again gets
 * `held: true` without a write. Never waits: the caller reports Pending and requeues.
 */
export async function acquireDataLock(
  ctx: ReconcileContext,
  t: LockTarget,
  me: LockHolder,
): Promise<LockResult> {
  const lease = await readLease(ctx, t);
  const busy = (l: LeaseObject | undefined): LockResult => {
    const id = parseIdentity(l?.spec?.holderIdentity);
    return {
      held: false,
      holder: l?.spec?.holderIdentity ?? 'another holder',
      kind: id?.kind,
    };
  };
  try {
    if (!lease) {
      await ctx.client.create(toClientModel(leaseBody(t, me)));
      return { held: true };
    }
    const id = lease.spec?.holderIdentity;
    if (id === holderIdentity(me)) {
      if (lease.metadata?.annotations?.[HOLDER_UID_ANNOTATION] === me.uid) return { held: true };
      // A namesake of ours (deleted and re-created) held it: stale, taken over below.
    } else if (id && (await holderAlive(ctx, t.namespace, lease))) {
      return busy(lease);
    }
    // Free or stale: update with the resourceVersion read (metadata carries it).
    await ctx.client.replace(toClientModel(leaseBody(t, me, lease)));
    return { held: true };
  } catch (err) {
    if (!isConflict(err)) throw err;
    // Someone else created or changed it between our read and write.
    return busy(await readLease(ctx, t));
  }
}

/** Clears the holder if it is `me`; returns whether this call released it. */
export async function releaseDataLock(
  ctx: ReconcileContext,
  t: LockTarget,
  me: LockHolder,
): Promise<boolean> {
  const lease = await readLease(ctx, t);
  if (
    !lease ||
    lease.spec?.holderIdentity !== holderIdentity(me) ||
    lease.metadata?.annotations?.[HOLDER_UID_ANNOTATION] !== me.uid
  ) {
    return false;
  }
  const annotations = { ...(lease.metadata?.annotations ?? {}) };
  delete annotations[HOLDER_UID_ANNOTATION];
  try {
    await ctx.client.replace(
      toClientModel({
        ...lease,
        metadata: { ...lease.metadata, annotations },
        spec: { ...lease.spec, holderIdentity: null },
      } as LeaseObject),
    );
  } catch (err) {
    // Taken over meanwhile (we were seen as stale) or already gone: not ours any more.
    if (isConflict(err) || isNotFound(err)) return false;
    throw err;
  }
  return true;
}

/**
 * On the instance while a PmsRestore holds its lock: the restore's name. Not the exclusion
 * (that is the Lease) but a hint the instance reconcile reads from the object it has anyway, so
 * that it renders the backup CronJob suspended without one more request per reconcile.
 */
export const RESTORING_ANNOTATION = 'pms.io/restoring';

/**
 * The PmsRestore the instance's hint names, if it is live (exists, not deleting, unfinished).
 * Costs nothing without the hint; a stale hint (its restore deleted midway or finished without
 * clearing it) is removed.
 */
export async function restoreInProgress(
  ctx: ReconcileContext,
  instance: KubernetesObject,
): Promise<string | undefined> {
  const name = instance.metadata?.annotations?.[RESTORING_ANNOTATION];
  const namespace = instance.metadata?.namespace ?? '';
  if (!name) return undefined;
  const r = await readObject<KubernetesObject & { status?: { phase?: string } }>(
    ctx,
    API_VERSION,
    'PmsRestore',
    namespace,
    name,
  );
  if (r && !r.metadata?.deletionTimestamp && !isTerminal(r.status?.phase)) return name;
  await mergePatch(
    ctx,
    {
      apiVersion: API_VERSION,
      kind: 'PmsInstance',
      name: instance.metadata?.name ?? '',
      namespace,
    },
    { metadata: { annotations: { [RESTORING_ANNOTATION]: null } } },
  );
  return undefined;
}

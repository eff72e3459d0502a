// Drift of a child decided from the compact form the owned-kind caches keep
// (runtime/strip.ts: metadata, no spec bodies), so that the caches stay small and a steady
// state sends no request:
//  1. Every applied child carries `pms.io/applied-hash`, the hash of what the operator rendered
//     and applied. A different hash means the spec changed (a field added, changed or removed
//     from the rendered object): apply, and server-side apply removes what is no longer rendered.
//  2. Otherwise only another writer can have changed the child. The API server records who
//     wrote which part when in managedFields: when no other manager wrote the object (its
//     status aside) at or after the operator's last apply, it is in sync.
//  3. Another writer did (`kubectl edit`, `kubectl scale`, a controller adding an annotation):
//     the full object is read once and compared field by field (controller/drift.ts). When it is
//     in sync, that set of writes is remembered as verified, so it is not read again until
//     somebody writes again.
// A cache that still holds full objects (a reconcile without the runtime, which lists) is
// compared field by field directly.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../apply/apply.ts';
import { driftPaths } from './drift.ts';

export const APPLIED_HASH_ANNOTATION = 'pms.io/applied-hash';

interface Annotated {
  metadata?: { annotations?: Record<string, string> } & object;
}

/**
 * The hash of a rendered child (as rendered, before withAppliedHash). Pure. Its JSON text is
 * hashed as it is: the renderers build objects in a fixed key order, so the same spec gives the
 * same text (an operator version that orders keys differently re-applies each child once).
 * This runs for every child at every reconcile, so it builds no sorted copies.
 */
export function appliedHash(child: unknown): string {
  return createHash('sha256').update(JSON.stringify(child)).digest('base64url').slice(0, 27);
}

/** A copy of `child` carrying its applied-hash annotation. Pure. */
export function withAppliedHash<T extends { metadata?: object }>(child: T): T {
  const meta = child.metadata as Annotated['metadata'];
  return {
    ...child,
    metadata: {
      ...meta,
      annotations: { ...meta?.annotations, [APPLIED_HASH_ANNOTATION]: appliedHash(child) },
    },
  };
}

interface Entry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string | Date;
  fieldsV1?: unknown;
}

const entriesOf = (live: KubernetesObject) =>
  ((live.metadata?.managedFields ?? []) as Entry[]).filter((e) => e.subresource !== 'status');

const timeOf = (e: Entry | undefined) => (e?.time ? new Date(e.time).getTime() : Number.NaN);

/**
 * The writes of other managers (status aside) as a comparable text, or undefined when none
 * came at or after the operator's last apply (managedFields times have one-second resolution:
 * a write in the same second counts). Pure.
 */
export function writesSinceApply(
  live: KubernetesObject,
  manager = FIELD_MANAGER,
): string | undefined {
  const entries = entriesOf(live);
  const own = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const others = entries.filter((e) => e !== own);
  const ownTime = timeOf(own);
  const after = others.some((e) => !(timeOf(e) < ownTime));
  if (own && !after) return undefined;
  return JSON.stringify(
    others
      .map((e) => [e.manager, e.operation, e.subresource, timeOf(e)])
      .concat([['own', ownTime]]),
  );
}

/** Whether `live` is a full object (managedFields with field sets), not the cache's compact form. */
const isFull = (live: KubernetesObject) =>
  ((live.metadata?.managedFields ?? []) as Entry[]).some((e) => e.fieldsV1 !== undefined);

/** Verified write sets are kept for this many children at most (oldest forgotten first). */
const MAX_VERIFIED = 100_000;

/** One per reconciler: remembers which writes of other managers were found harmless. */
export class DriftChecker {
  private readonly verified = new Map<string, string>();
  /** Full reads so far (tests and diagnostics). */
  reads = 0;

  /**
   * Paths where `live` differs from `desired` (a child with its applied-hash annotation); empty
   * when in sync. `readFull` reads the full object when the compact form cannot tell.
   */
  async drift(
    desired: KubernetesObject,
    live: KubernetesObject,
    readFull: () => Promise<KubernetesObject | undefined>,
  ): Promise<string[]> {
    if (isFull(live)) return driftPaths(desired, live);
    const want = desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
    if (live.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] !== want)
      return [`metadata.annotations.${APPLIED_HASH_ANNOTATION}`];
    const writes = writesSinceApply(live);
    if (writes === undefined) return [];
    const uid = live.metadata?.uid ?? '';
    if (this.verified.get(uid) === writes) return [];
    this.reads += 1;
    const full = await readFull();
    if (!full) return ['(missing)'];
    const paths = driftPaths(desired, full);
    if (paths.length === 0) this.remember(full);
    return paths;
  }

  /** After the operator's own apply: the object as written is in sync by definition. */
  remember(live: KubernetesObject): void {
    const uid = live.metadata?.uid;
    if (!uid) return;
    const writes = writesSinceApply(live);
    this.verified.delete(uid);
    if (writes === undefined) return;
    this.verified.set(uid, writes);
    if (this.verified.size > MAX_VERIFIED) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
  }
}

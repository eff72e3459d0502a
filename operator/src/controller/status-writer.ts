// The one writer of pms.io status subresources (PmsInstance, PmsBackup, PmsRestore): a JSON
// merge patch of /status (status/patch.ts computes it), sent only when something differs from
// what was read.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION } from '../api/spec.ts';
import { isNotFound } from '../kube-errors.ts';
import { statusMergePatch } from '../status/patch.ts';
import type { ReconcileContext } from './types.ts';

export interface StatusTarget<S extends object> extends KubernetesObject {
  status?: S;
}

export interface StatusWriteOptions {
  /** The resource's plural, e.g. `pmsinstances`. */
  plural: string;
  /** Top-level status fields this writer owns (others are left alone); default: all. */
  fields?: readonly string[];
  /**
   * Send the resourceVersion read as a precondition: a concurrent write is a 409 and the runtime
   * retries. Backups and restores use it (their archive key, once written, must win); the
   * instance does not (its status is recomputed from the world by the reconcile that a newer
   * change triggers, and other writers' fields must not make it conflict).
   */
  optimistic?: boolean;
}

/**
 * Writes `next` to `obj`'s status when it differs from `obj.status`. Returns undefined when
 * nothing was written (no difference, or the object is gone), else the written object's
 * resourceVersion (so that a second write in the same reconcile does not conflict with the first).
 */
export async function writeStatus<S extends object>(
  ctx: Pick<ReconcileContext, 'kc'>,
  obj: StatusTarget<S>,
  next: S,
  opts: StatusWriteOptions,
): Promise<{ resourceVersion: string | undefined } | undefined> {
  const patch = statusMergePatch(
    obj.status as Record<string, unknown> | undefined,
    JSON.parse(JSON.stringify(next)) as Record<string, unknown>,
    opts.fields,
  );
  if (!patch) return undefined;
  const rv = opts.optimistic ? obj.metadata?.resourceVersion : undefined;
  let written: KubernetesObject;
  try {
    written = (await ctx.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
      {
        group: API_GROUP,
        version: API_VERSION.split('/')[1] ?? 'v1alpha1',
        namespace: obj.metadata?.namespace ?? '',
        plural: opts.plural,
        name: obj.metadata?.name ?? '',
        body: { ...(rv ? { metadata: { resourceVersion: rv } } : {}), status: patch },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as KubernetesObject;
  } catch (err) {
    if (isNotFound(err)) return undefined; // deleted meanwhile
    throw err;
  }
  return { resourceVersion: written.metadata?.resourceVersion };
}

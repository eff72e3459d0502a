// The one place that writes children: server-side apply with the operator's field manager and
// force (the operator owns the fields it sets; fields it does not send, such as an HPA's
// replicas, stay with their managers), plus create-if-absent for generated Secrets.
import { PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { isConflict, isNotFound } from '../kube-errors.ts';

export const FIELD_MANAGER = 'pms-operator';

/** Server-side apply of `obj` (apiVersion, kind, metadata.name and namespace required). */
export function serverSideApply<T extends KubernetesObject>(
  client: KubernetesObjectApi,
  obj: T,
  opts: { dryRun?: boolean } = {},
): Promise<T> {
  return client.patch<T>(
    obj,
    undefined,
    opts.dryRun ? 'All' : undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
}

/** Bound form for ReconcileContext.apply. */
export function makeApply(client: KubernetesObjectApi) {
  return <T extends KubernetesObject>(obj: T): Promise<T> => serverSideApply(client, obj);
}

/**
 * Creates `obj` unless an object of that kind and name exists; never modifies an existing one
 * (generated Secrets are written once). Reads first so the steady state makes no write call.
 */
export async function createIfAbsent<T extends KubernetesObject>(
  client: KubernetesObjectApi,
  obj: T,
  opts: {
    /**
     * The caller has just seen that the object does not exist (in its cache or a list): create
     * at once; an object created meanwhile answers 409 and is read then.
     */
    knownAbsent?: boolean;
  } = {},
): Promise<{ object: T; created: boolean }> {
  const header = {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    metadata: { name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace },
  };
  if (!opts.knownAbsent) {
    try {
      return { object: await client.read<T>(header), created: false };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  try {
    return {
      object: await client.create<T>(obj, undefined, undefined, FIELD_MANAGER),
      created: true,
    };
  } catch (err) {
    // Lost a race with another writer: the existing object wins.
    if (!isConflict(err)) throw err;
    return { object: await client.read<T>(header), created: false };
  }
}

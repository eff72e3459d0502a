// The one "read or undefined": a GET of one object, as wire JSON (controller/wire.ts), with a
// 404 as undefined. Every other error propagates (the runtime retries with back-off), so an
// unreachable API server is never mistaken for an absent object.
import type { KubernetesObject } from '@kubernetes/client-node';
import { isNotFound } from '../kube-errors.ts';
import type { ReconcileContext } from './types.ts';
import { toWire } from './wire.ts';

export async function readObject<T extends KubernetesObject>(
  ctx: Pick<ReconcileContext, 'client'>,
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
): Promise<T | undefined> {
  try {
    return toWire(await ctx.client.read<T>({ apiVersion, kind, metadata: { name, namespace } }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

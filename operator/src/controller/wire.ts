// KubernetesObjectApi (de)serialises known kinds through generated model classes whose
// property names differ from the JSON ones for a few fields (NetworkPolicyIngressRule `from`
// is `_from`). Renderers produce wire JSON: convert it to the model form before the client
// serialises it (otherwise `from` is silently dropped, opening the policy), and convert what
// the client read back to wire JSON before comparing.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { getSerializationType } from '@kubernetes/client-node/dist/util.js';
import type { KubernetesObject } from '@kubernetes/client-node';

/** Wire JSON → the client's model form (what KubernetesObjectApi expects to serialise). */
export function toClientModel<T extends KubernetesObject>(wire: T): T {
  return ObjectSerializer.deserialize(wire, getSerializationType(wire.apiVersion, wire.kind)) as T;
}

/** The client's model form (what KubernetesObjectApi returns) → wire JSON. */
export function toWire<T extends KubernetesObject>(model: T): T {
  const type = getSerializationType(model.apiVersion, model.kind);
  return JSON.parse(JSON.stringify(ObjectSerializer.serialize(model, type))) as T;
}

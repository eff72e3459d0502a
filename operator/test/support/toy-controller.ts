// A toy ControllerDefinition for runtime tests: a ConfigMap labelled `toy=yes` owns a Secret
// `<name>-child` holding the ConfigMap's `value`; `fail: "true"` makes its reconcile throw.
import type { KubernetesObject, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import type {
  ControllerDefinition,
  ObjectKey,
  ReconcileContext,
  ReconcileResult,
} from '../../src/controller/types.ts';

export interface ToyCall {
  key: string;
  at: number;
  /** When the reconcile returned or threw. */
  end?: number;
  identity: string;
}

export function toyController(calls: ToyCall[], identity = 'toy'): ControllerDefinition {
  return {
    name: 'toy',
    primary: { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
    owned: [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        plural: 'secrets',
        namespaced: true,
        labelSelector: 'app.kubernetes.io/managed-by=pms-operator',
      },
    ],
    reconcile: async (ctx, key: ObjectKey) => {
      const call: ToyCall = { key: `${key.namespace}/${key.name}`, at: Date.now(), identity };
      calls.push(call);
      try {
        return await reconcileToy(ctx, key);
      } finally {
        call.end = Date.now();
      }
    },
  };
}

async function reconcileToy(ctx: ReconcileContext, key: ObjectKey): Promise<ReconcileResult> {
  let cm: V1ConfigMap;
  try {
    cm = await ctx.client.read<V1ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: key.name, namespace: key.namespace },
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return {};
    throw err;
  }
  if (cm.metadata?.labels?.toy !== 'yes') return {};
  if (cm.data?.fail === 'true') throw new Error('asked to fail');
  const secret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `${key.name}-child`,
      namespace: key.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'pms-operator' },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: key.name,
          uid: cm.metadata?.uid ?? '',
          controller: true,
        },
      ],
    },
    data: { value: Buffer.from(cm.data?.value ?? '').toString('base64') },
  };
  await ctx.apply(secret as KubernetesObject);
  return {};
}

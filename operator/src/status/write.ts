// Writing a PmsInstance's status, and observing what status depends on beyond the children.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, PLURAL, type PmsInstance } from '../api/spec.ts';
import { CONDITION, type PmsInstanceStatus } from '../api/status.ts';
import { apiErrorCode } from '../apply/apply.ts';
import { readOrUndefined } from '../controller/children.ts';
import type { ReconcileContext } from '../controller/types.ts';
import { jsonEqual } from './compute.ts';

export interface RawInstance extends KubernetesObject {
  spec?: unknown;
  status?: PmsInstanceStatus;
}

export /** Writes status through the /status subresource when it differs from what is stored. */
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

export /** Problems with user Secrets that external data stores point at, by condition type. */
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

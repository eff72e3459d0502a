// Writing a PmsInstance's status, and observing what status depends on beyond the children.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
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

/** The status fields this controller owns. */
const OWNED_FIELDS = [
  'observedGeneration',
  'phase',
  'url',
  'version',
  'conditions',
  'components',
  'lastBackup',
  'restoredFrom',
] as const;

/**
 * Writes the fields this controller owns through the /status subresource, when they differ
 * from what was read. A JSON merge patch without a resourceVersion: it cannot conflict with
 * other writers (spec edits, other status fields), and a status computed from a
 * stale read is corrected by the reconcile the newer change triggers.
 */
export async function writeStatus(
  ctx: ReconcileContext,
  raw: RawInstance,
  status: PmsInstanceStatus,
): Promise<boolean> {
  const pick = (s: PmsInstanceStatus | undefined) =>
    Object.fromEntries(OWNED_FIELDS.map((k) => [k, s?.[k] ?? null]));
  const next = pick(status);
  if (jsonEqual(pick(raw.status), next)) return false;
  // A merge patch merges maps: components no longer reported are removed explicitly.
  const patch: Record<string, unknown> = { ...next };
  const gone = Object.keys(raw.status?.components ?? {}).filter(
    (k) => !(k in (status.components ?? {})),
  );
  if (gone.length > 0 && status.components)
    patch.components = { ...status.components, ...Object.fromEntries(gone.map((k) => [k, null])) };
  const api = ctx.kc.makeApiClient(CustomObjectsApi);
  try {
    await api.patchNamespacedCustomObjectStatus(
      {
        group: API_GROUP,
        version: API_VERSION.split('/')[1] ?? 'v1alpha1',
        namespace: raw.metadata?.namespace ?? '',
        plural: PLURAL,
        name: raw.metadata?.name ?? '',
        body: { status: patch },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (err) {
    if (apiErrorCode(err) === 404) return false; // deleted meanwhile
    throw err;
  }
  return true;
}

/** Problems with user Secrets that external data stores point at, by condition type. */
export async function checkExternalRefs(
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

// The user Secrets an instance's external stores point at: the ports of its external
// MongoDB/Redis for the NetworkPolicy egress rules, and which referenced Secrets or keys are
// missing (for the components' conditions). The I/O lives here; parsing is pure
// (render/connection-ports.ts). A connection string holds a password: it is never logged, put
// into an event or a condition; only the parser's messages (which never repeat it) are.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { PmsInstance } from '../api/spec.ts';
import { CONDITION } from '../api/status.ts';
import {
  ConnectionStringError,
  mongoUriPorts,
  redisUrlPorts,
  type ExternalStorePorts,
} from '../render/index.ts';
import type { RefProblem } from '../status/compute.ts';
import { readObject } from './read.ts';
import type { ReconcileContext } from './types.ts';

export interface ExternalStores {
  ports: ExternalStorePorts;
  /** Why a store's ports are unknown, by component condition type. */
  problems: Map<string, RefProblem>;
}

type SecretObject = KubernetesObject & { data?: Record<string, string> };

export async function readExternalStores(
  ctx: ReconcileContext,
  i: PmsInstance,
): Promise<ExternalStores> {
  const out: ExternalStores = { ports: {}, problems: new Map() };
  const s = i.spec;
  const stores = [
    s.mongodb.external && {
      store: 'mongodb' as const,
      condition: CONDITION.MongoDB,
      ref: s.mongodb.external.uriSecretRef,
      parse: mongoUriPorts,
    },
    s.redis.enabled &&
      s.redis.external && {
        store: 'redis' as const,
        condition: CONDITION.Redis,
        ref: s.redis.external.urlSecretRef,
        parse: redisUrlPorts,
      },
  ];
  for (const st of stores) {
    if (!st) continue;
    const secret = await readObject<SecretObject>(
      ctx,
      'v1',
      'Secret',
      i.metadata.namespace,
      st.ref.name,
    );
    const encoded = secret?.data?.[st.ref.key];
    if (encoded === undefined) {
      out.problems.set(st.condition, {
        reason: 'SecretNotFound',
        message: secret
          ? `Secret ${st.ref.name} has no key ${st.ref.key}`
          : `Secret ${st.ref.name} not found`,
      });
      continue;
    }
    try {
      out.ports[st.store] = st.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    } catch (err) {
      if (!(err instanceof ConnectionStringError)) throw err;
      out.problems.set(st.condition, {
        reason: 'InvalidConnectionString',
        message: `Secret ${st.ref.name} key ${st.ref.key}: ${err.message}; no egress to it is opened until it is fixed`,
      });
    }
  }
  return out;
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
    const secret = await readObject<SecretObject>(
      ctx,
      'v1',
      'Secret',
      i.metadata.namespace,
      r.name,
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

// The ports of an instance's external MongoDB/Redis, read from the user Secrets the spec points
// at, for the NetworkPolicy egress rules. The I/O lives here; parsing is pure
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
import { readOrUndefined } from './children.ts';
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
    const secret = await readOrUndefined<SecretObject>(ctx, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: st.ref.name, namespace: i.metadata.namespace },
    });
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

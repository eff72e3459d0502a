// Isolation children against the real API server, under the operator's own RBAC: the instance's
// own ServiceAccount without token automount, and egress to external MongoDB/Redis opened only
// to the ports their connection strings (user Secrets) name. A connection string the operator
// cannot read opens nothing and is reported on the store's condition without leaking it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { createLogger } from '../src/log.ts';
import { startOperator, type RunningOperator } from '../src/operator.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
  type OperatorIdentity,
} from './support/operator-kubeconfig.ts';
import { eventually, installCrd, instance } from './support/pms.ts';

const admin = adminKubeConfig();
const client = KubernetesObjectApi.makeApiClient(admin);
let ns = '';
let identity: OperatorIdentity;
let operator: RunningOperator | undefined;

const PASSWORD = 's3cr3t-Pa55';
type Obj = KubernetesObject & Record<string, unknown>;
type Rule = {
  to?: { ipBlock?: { cidr: string; except?: string[] } }[];
  ports?: { port: number }[];
};
type Condition = { type: string; status: string; reason: string; message: string };

async function read(apiVersion: string, kind: string, name: string): Promise<Obj | undefined> {
  try {
    return (await client.read({ apiVersion, kind, metadata: { name, namespace: ns } })) as Obj;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

const secret = (name: string, key: string, value: string): KubernetesObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    stringData: { [key]: value },
  }) as KubernetesObject;

/** The ports of the backend policy's "any address" egress rules, one list per rule. */
async function externalPorts(): Promise<number[][] | undefined> {
  const p = await read('networking.k8s.io/v1', 'NetworkPolicy', 'ext-backend');
  const egress = (p?.spec as { egress?: Rule[] } | undefined)?.egress;
  if (!egress) return undefined;
  // The data stores' rules (any address but link-local); the webhook rule, which also excepts
  // the private ranges, is not one of them (render/networkpolicies.test.ts covers it).
  const webhookRule = (r: Rule) =>
    r.to?.some((t) => (t.ipBlock?.except ?? []).includes('10.0.0.0/8')) ?? false;
  return egress
    .filter((r) => r.to?.some((t) => t.ipBlock) && !webhookRule(r))
    .map((r) => {
      for (const t of r.to ?? [])
        assert.deepEqual({ ...t.ipBlock }, { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] });
      return (r.ports ?? []).map((x) => x.port);
    });
}

describe('PmsInstance controller: isolation children', () => {
  before(async () => {
    await installCrd(admin);
    ns = await createTestNamespace(admin, 'isolation');
    identity = await operatorKubeConfig(admin, ns);
    operator = await startOperator({
      kubeConfig: identity.kc,
      namespace: ns,
      leaderElection: false,
      resyncMs: 1000,
      processMetrics: false,
      controllers: [pmsInstanceController],
      log: createLogger('error'),
    });
  });
  after(async () => {
    await operator?.stop();
    await deleteTestNamespace(admin, ns);
    await identity?.cleanup();
  });

  it('opens egress to external stores on their URIs ports only, and nothing for a broken URI', async () => {
    await client.create(
      secret(
        'ext-db',
        'uri',
        `mongodb://pms:${PASSWORD}@db1.example.com:27017,db2.example.com:27018/pms`,
      ),
    );
    await client.create(
      secret('ext-cache', 'url', `rediss://:${PASSWORD}@cache.example.com:6380/0`),
    );
    await client.create(
      instance(ns, 'ext', {
        mongodb: { external: { uriSecretRef: { name: 'ext-db', key: 'uri' } } },
        redis: { external: { urlSecretRef: { name: 'ext-cache', key: 'url' } } },
      }),
    );
    // MongoDB's ports, Redis's port (in-cluster MinIO is reached by pod selector).
    await eventually('external egress rules', async () => {
      const ports = await externalPorts();
      return JSON.stringify(ports) === JSON.stringify([[27017, 27018], [6380]]) ? ports : undefined;
    });
    // Every pod runs as the instance's own ServiceAccount, which mounts no token.
    const sa = await read('v1', 'ServiceAccount', 'ext-pms');
    assert.equal(sa?.automountServiceAccountToken, false);
    const backend = await read('apps/v1', 'Deployment', 'ext-backend');
    const pod = (backend?.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    assert.equal(pod.serviceAccountName, 'ext-pms');
    assert.equal(pod.automountServiceAccountToken, false);

    // A URI the operator cannot read: the MongoDB rule goes, the condition says why.
    await client.patch(
      { ...secret('ext-db', 'uri', `mongodb://pms:${PASSWORD}@db1.example.com:port/pms`) },
      undefined,
      undefined,
      'pms-test',
      undefined,
      PatchStrategy.MergePatch,
    );
    const cond = await eventually('MongoDBReady InvalidConnectionString', async () => {
      const o = await read('pms.io/v1alpha1', 'PmsInstance', 'ext');
      const c = ((o?.status as { conditions?: Condition[] })?.conditions ?? []).find(
        (x) => x.type === 'MongoDBReady',
      );
      return c?.reason === 'InvalidConnectionString' ? c : undefined;
    });
    assert.equal(cond.status, 'False');
    assert.match(cond.message, /^Secret ext-db key uri: host 1: the port is not a number/);
    assert.ok(!cond.message.includes(PASSWORD), cond.message);
    await eventually('the MongoDB rule is gone', async () => {
      const ports = await externalPorts();
      return JSON.stringify(ports) === JSON.stringify([[6380]]) ? ports : undefined;
    });
    // Nothing the operator wrote (events included) carries the password.
    const events = await client.list('events.k8s.io/v1', 'Event', ns);
    assert.ok(!JSON.stringify(events.items).includes(PASSWORD));

    // A missing Secret: reported as such, still nothing opened.
    await client.delete({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ext-cache', namespace: ns },
    });
    await eventually('RedisReady SecretNotFound', async () => {
      const o = await read('pms.io/v1alpha1', 'PmsInstance', 'ext');
      const c = ((o?.status as { conditions?: Condition[] })?.conditions ?? []).find(
        (x) => x.type === 'RedisReady',
      );
      return c?.reason === 'SecretNotFound' ? c : undefined;
    });
    await eventually('no external rule left', async () => {
      const ports = await externalPorts();
      return ports && ports.length === 0 ? true : undefined;
    });
  });
});

// config/rbac against the real API server: the operator's ServiceAccount (token from the
// TokenRequest API) may do everything the operator does and nothing else.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthorizationV1Api, CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { KubeEventRecorder } from '../src/events.ts';
import { createIfAbsent, serverSideApply } from '../src/apply/apply.ts';
import { LeaderElector } from '../src/runtime/leader.ts';
import { createLogger } from '../src/log.ts';
import { DEFAULT_CONTROLLERS } from '../src/controllers.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
  rbacObjects,
} from './support/operator-kubeconfig.ts';
import type { OperatorIdentity } from './support/operator-kubeconfig.ts';
import { grantList } from './rbac-audit.ts';

interface Access {
  group: string;
  resource: string;
  subresource?: string;
  verb: string;
  /** Namespaced check in the test namespace (default) or cluster-wide (all namespaces). */
  scope?: 'namespace' | 'cluster';
}

/**
 * Every grant of config/rbac must be effective. Whether each is needed is proven elsewhere:
 * `npm run test:rbac-audit` (test/rbac-audit.ts) fails on a grant the operator never used.
 */
const allowed: Access[] = [
  ...grantList(rbacObjects()).map(({ group, resource, verb }) => {
    const [res = resource, subresource] = resource.split('/');
    return { group, resource: res, subresource, verb };
  }),
  // A ClusterRole's grants hold in every namespace (WATCH_NAMESPACE empty watches them all).
  ...['secrets', 'configmaps', 'services'].flatMap((resource) =>
    ['list', 'watch'].map((verb) => ({ group: '', resource, verb, scope: 'cluster' as const })),
  ),
];

const denied: Array<Access & { namespace?: string }> = [
  { group: '', resource: 'nodes', verb: 'delete', scope: 'cluster' },
  { group: '', resource: 'namespaces', verb: 'delete', scope: 'cluster' },
  {
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterroles',
    verb: 'create',
    scope: 'cluster',
  },
  { group: 'rbac.authorization.k8s.io', resource: 'rolebindings', verb: 'create' },
  {
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    verb: 'create',
    scope: 'cluster',
  },
  { group: '', resource: 'pods', verb: 'create' },
  { group: '', resource: 'pods', verb: 'delete' },
  { group: '', resource: 'pods', subresource: 'exec', verb: 'create' },
  // Nothing is written by full replacement: no `update` on children.
  { group: '', resource: 'secrets', verb: 'update' },
  { group: 'apps', resource: 'deployments', verb: 'update' },
  { group: 'pms.io', resource: 'pmsinstances', verb: 'update' },
  { group: 'pms.io', resource: 'pmsinstances', verb: 'delete' },
  { group: '', resource: 'secrets', verb: 'deletecollection' },
  // Unused, so not granted (the audit check found no use): core/v1 events, PVC lifecycle,
  // deleting Secrets (generated ones are never pruned), watching pods, status reads.
  { group: '', resource: 'events', verb: 'create' },
  { group: '', resource: 'persistentvolumeclaims', verb: 'create' },
  { group: '', resource: 'persistentvolumeclaims', verb: 'delete' },
  { group: '', resource: 'persistentvolumeclaims', verb: 'list' },
  { group: '', resource: 'secrets', verb: 'delete' },
  { group: '', resource: 'pods', verb: 'watch' },
  { group: 'pms.io', resource: 'pmsinstances', subresource: 'status', verb: 'update' },
  { group: 'pms.io', resource: 'pmsbackups', subresource: 'status', verb: 'update' },
  { group: 'pms.io', resource: 'pmsrestores', subresource: 'status', verb: 'update' },
  { group: 'pms.io', resource: 'pmsbackups', verb: 'patch' },
  // Leases: get/create/update for the data locks (ClusterRole), never list, watch or delete
  // outside the leader-election namespace.
  { group: 'coordination.k8s.io', resource: 'leases', verb: 'delete' },
  { group: 'coordination.k8s.io', resource: 'leases', verb: 'list' },
  { group: 'coordination.k8s.io', resource: 'leases', verb: 'watch' },
];

const label = (a: Access & { namespace?: string }) =>
  `${a.verb} ${a.resource}${a.subresource ? '/' + a.subresource : ''}${a.group ? '.' + a.group : ''}` +
  (a.scope === 'cluster' ? ' (all namespaces)' : a.namespace ? ` in ${a.namespace}` : '');

describe('RBAC (config/rbac)', () => {
  let admin: KubeConfig;
  let ns: string;
  let identity: OperatorIdentity;

  const review = async (a: Access & { namespace?: string }) => {
    const r = await identity.kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: {
        spec: {
          resourceAttributes: {
            group: a.group,
            resource: a.resource,
            subresource: a.subresource,
            verb: a.verb,
            namespace: a.scope === 'cluster' ? undefined : (a.namespace ?? ns),
          },
        },
      },
    });
    return r.status?.allowed === true;
  };

  before(async () => {
    admin = adminKubeConfig();
    ns = await createTestNamespace(admin, 'rbac');
    identity = await operatorKubeConfig(admin, ns);
  });

  after(async () => {
    await identity?.cleanup();
    if (ns) await deleteTestNamespace(admin, ns);
  });

  it('binds the ServiceAccount to both roles as written', () => {
    const objs = rbacObjects();
    const byKind = (k: string) => objs.filter((o) => o.kind === k);
    const sa = byKind('ServiceAccount')[0];
    assert.ok(sa?.metadata?.name && sa.metadata.namespace);
    type Binding = {
      roleRef: { kind: string; name: string };
      subjects: Array<{ kind: string; name: string; namespace: string }>;
    };
    const crb = byKind('ClusterRoleBinding')[0] as unknown as Binding;
    const rb = byKind('RoleBinding')[0] as unknown as Binding & { metadata: { namespace: string } };
    assert.equal(crb.roleRef.name, byKind('ClusterRole')[0]?.metadata?.name);
    assert.equal(rb.roleRef.name, byKind('Role')[0]?.metadata?.name);
    for (const b of [crb, rb]) {
      assert.deepEqual(b.subjects, [
        { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
      ]);
    }
    assert.equal(
      rb.metadata.namespace,
      sa.metadata.namespace,
      'leases live in the operator namespace',
    );
  });

  it('allows every verb the operator uses', async () => {
    const missing: string[] = [];
    for (const a of allowed) if (!(await review(a))) missing.push(label(a));
    assert.deepEqual(missing, []);
  });

  it('allows list and watch on every kind the controllers watch', async () => {
    const controllers = DEFAULT_CONTROLLERS;
    const missing: string[] = [];
    for (const c of controllers) {
      for (const k of [c.primary, ...c.owned]) {
        const group = k.apiVersion.includes('/') ? (k.apiVersion.split('/')[0] ?? '') : '';
        for (const verb of ['list', 'watch']) {
          const a = { group, resource: k.plural, verb, scope: 'cluster' as const };
          if (!(await review(a))) missing.push(`${c.name}: ${label(a)}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('denies what the operator does not need', async () => {
    const granted: string[] = [];
    for (const a of denied) if (await review(a)) granted.push(label(a));
    assert.deepEqual(granted, []);
  });

  it('real calls: apply, create-if-absent, events and the lease succeed; deleting a node is forbidden', async () => {
    const kc = identity.kc;
    const client = KubernetesObjectApi.makeApiClient(kc);
    const cm = await serverSideApply<V1ConfigMap>(client, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: ns },
      data: { a: '1' },
    });
    assert.equal(cm.data?.a, '1');
    const secret: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'generated', namespace: ns },
      stringData: { password: 'first' },
    };
    const first = await createIfAbsent(client, secret);
    assert.equal(first.created, true);
    const second = await createIfAbsent(client, { ...secret, stringData: { password: 'second' } });
    assert.equal(second.created, false);
    assert.equal(Buffer.from(second.object.data?.password ?? '', 'base64').toString(), 'first');

    const events = new KubeEventRecorder({
      kc,
      log: createLogger('silent'),
      instance: 'rbac-test',
      seriesFlushMs: 0,
    });
    await events.record(cm, 'Normal', 'Applied', 'applied the ConfigMap');
    await events.record(cm, 'Normal', 'Applied', 'applied the ConfigMap');
    assert.deepEqual(
      { ...events.stats },
      { created: 1, updated: 1, aggregated: 0, dropped: 0, failed: 0 },
    );
    const list = await admin.makeApiClient(CoreV1Api).listNamespacedEvent({
      namespace: ns,
      fieldSelector: `involvedObject.name=applied`,
    });
    assert.equal(list.items.length, 1, 'one aggregated Event');
    assert.equal(list.items[0]?.reason, 'Applied');
    assert.equal(list.items[0]?.series?.count ?? list.items[0]?.count, 2);

    let leading = false;
    const elector = new LeaderElector({
      kc,
      namespace: ns,
      name: 'rbac-lease',
      identity: 'rbac-test',
      log: createLogger('silent'),
      retryPeriodMs: 200,
      onStartedLeading: () => {
        leading = true;
      },
      onStoppedLeading: () => {
        leading = false;
      },
    });
    elector.start();
    const deadline = Date.now() + 10_000;
    while (!leading && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await elector.stop();
    assert.ok(leading === false && Date.now() < deadline, 'acquired (and released) the lease');

    await assert.rejects(
      admin
        .makeApiClient(CoreV1Api)
        .listNode()
        .then((nodes) => {
          const name = nodes.items[0]?.metadata?.name ?? 'kwok-node-0';
          return kc.makeApiClient(CoreV1Api).deleteNode({ name, dryRun: 'All' });
        }),
      (err: { code?: number }) => err.code === 403,
    );
  });
});

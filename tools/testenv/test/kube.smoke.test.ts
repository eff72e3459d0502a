// The local control plane is a real cluster: watch, controllers, scheduling on kwok nodes,
// garbage collection and RBAC all behave as on a real one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, testEnv } from '../src/index.ts';

const env = testEnv('kube');
const kc = new k8s.KubeConfig();
kc.loadFromFile(env.kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const namespace = `smoke-${process.pid}-${Date.now().toString(36)}`;

describe('kubernetes control plane', () => {
  before(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(async () => {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('creates and watches a ConfigMap', async () => {
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    let resolveAdded!: () => void;
    const added = new Promise<void>((r) => (resolveAdded = r));
    const req = await watch.watch(
      `/api/v1/namespaces/${namespace}/configmaps`,
      {},
      (type: string, obj: k8s.V1ConfigMap) => {
        seen.push(`${type}:${obj.metadata?.name}`);
        if (type === 'ADDED' && obj.metadata?.name === 'hello') resolveAdded();
      },
      () => undefined,
    );
    try {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: 'hello' }, data: { greeting: 'hi' } },
      });
      await Promise.race([
        added,
        new Promise((_, rej) =>
          setTimeout(() => rej(new Error(`no ADDED event; saw ${seen.join(',')}`)), 15_000),
        ),
      ]);
    } finally {
      req.abort();
    }
    const cm = await core.readNamespacedConfigMap({ namespace, name: 'hello' });
    assert.equal(cm.data?.greeting, 'hi');
  });

  it('runs a Deployment whose Pod becomes Running and Ready on a kwok node', async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'example.invalid/web:1' }] },
          },
        },
      },
    });
    const rs = await eventually('a ReplicaSet', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
      return list.items[0];
    });
    assert.equal(rs.metadata?.ownerReferences?.[0]?.name, 'web');
    const pod = await eventually('a Running, Ready pod', async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      return list.items.find(
        (p) =>
          p.status?.phase === 'Running' &&
          p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
    });
    assert.match(pod.spec?.nodeName ?? '', /^kwok-node-/);
    const dep = await eventually('deployment availableReplicas=1', async () => {
      const d = await apps.readNamespacedDeployment({ namespace, name: 'web' });
      return d.status?.availableReplicas === 1 ? d : undefined;
    });
    assert.equal(dep.status?.readyReplicas, 1);
  });

  it('garbage-collects dependents when their owner is deleted', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner' } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'owner',
              uid: owner.metadata?.uid ?? '',
              controller: true,
            },
          ],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ namespace, name: 'owner' });
    await eventually('dependent to be garbage-collected', async () => {
      try {
        await core.readNamespacedConfigMap({ namespace, name: 'dependent' });
        return undefined;
      } catch (err) {
        return (err as { code?: number }).code === 404 ? true : undefined;
      }
    });
  });

  it('enforces RBAC: a ServiceAccount token without a role is refused with 403', async () => {
    await core.createNamespacedServiceAccount({
      namespace,
      body: { metadata: { name: 'nobody' } },
    });
    const tr = await core.createNamespacedServiceAccountToken({
      namespace,
      name: 'nobody',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = tr.status?.token;
    assert.ok(token, 'TokenRequest returned a token');
    const sa = new k8s.KubeConfig();
    sa.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: kc.getCurrentCluster()?.server ?? '',
          caFile: kc.getCurrentCluster()?.caFile,
        },
      ],
      users: [{ name: 'u', token }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const saCore = sa.makeApiClient(k8s.CoreV1Api);
    await assert.rejects(
      saCore.listNamespacedSecret({ namespace }),
      (err: { code?: number }) => err.code === 403,
    );

    // Granting exactly that permission makes the same call succeed: the authorizer is RBAC.
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'secret-reader' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'nobody-reads-secrets' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'nobody', namespace }],
      },
    });
    await eventually(
      'the role binding to take effect',
      async () => (await saCore.listNamespacedSecret({ namespace })).items,
    );
  });
});

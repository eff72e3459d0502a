// The runtime end to end under the operator's own RBAC: a toy controller (ConfigMap owns a
// Secret) reconciles, owned-kind changes requeue the owner, failures back off exponentially,
// and the probe server answers /healthz, /readyz and /metrics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { startOperator } from '../src/operator.ts';
import type { RunningOperator } from '../src/operator.ts';
import { createLogger } from '../src/log.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
} from './support/operator-kubeconfig.ts';
import type { OperatorIdentity } from './support/operator-kubeconfig.ts';
import { toyController } from './support/toy-controller.ts';
import type { ToyCall } from './support/toy-controller.ts';

async function eventually<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('runtime with a toy controller', () => {
  let admin: KubeConfig;
  let core: CoreV1Api;
  let ns: string;
  let identity: OperatorIdentity;
  let op: RunningOperator;
  const calls: ToyCall[] = [];

  before(async () => {
    admin = adminKubeConfig();
    core = admin.makeApiClient(CoreV1Api);
    ns = await createTestNamespace(admin, 'rt-toy');
    identity = await operatorKubeConfig(admin, ns);
    op = await startOperator({
      kubeConfig: identity.kc,
      namespace: ns,
      leaderElection: false,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      resyncMs: 0,
      controllers: [toyController(calls)],
      log: createLogger('silent'),
      processMetrics: false,
    });
  });

  after(async () => {
    await op?.stop();
    await identity?.cleanup();
    if (ns) await deleteTestNamespace(admin, ns);
  });

  it('reconciles a primary object and creates its owned child', async () => {
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'a', labels: { toy: 'yes' } }, data: { value: 'one' } },
    });
    const secret = await eventually(
      async () => core.readNamespacedSecret({ name: 'a-child', namespace: ns }),
      15_000,
      'secret a-child',
    );
    assert.equal(Buffer.from(secret.data?.value ?? '', 'base64').toString(), 'one');
    assert.equal(secret.metadata?.ownerReferences?.[0]?.kind, 'ConfigMap');
    assert.equal(secret.metadata?.ownerReferences?.[0]?.controller, true);
    const managers = (secret.metadata?.managedFields ?? []).map((m) => m.manager);
    assert.ok(managers.includes('pms-operator'), `field managers: ${managers.join(',')}`);
  });

  it('a change to the primary object is reconciled', async () => {
    await core.patchNamespacedConfigMap({
      name: 'a',
      namespace: ns,
      body: [{ op: 'replace', path: '/data/value', value: 'two' }],
    });
    await eventually(
      async () => {
        const s = await core.readNamespacedSecret({ name: 'a-child', namespace: ns });
        return Buffer.from(s.data?.value ?? '', 'base64').toString() === 'two' || undefined;
      },
      15_000,
      'secret to follow the ConfigMap',
    );
  });

  it('deleting an owned child requeues the owner, which restores it', async () => {
    const before = calls.filter((c) => c.key === `${ns}/a`).length;
    const old = await core.readNamespacedSecret({ name: 'a-child', namespace: ns });
    await core.deleteNamespacedSecret({ name: 'a-child', namespace: ns });
    const restored = await eventually(
      async () => {
        const s = await core.readNamespacedSecret({ name: 'a-child', namespace: ns });
        return s.metadata?.uid !== old.metadata?.uid ? s : undefined;
      },
      15_000,
      'secret to come back',
    );
    assert.equal(Buffer.from(restored.data?.value ?? '', 'base64').toString(), 'two');
    assert.ok(calls.filter((c) => c.key === `${ns}/a`).length > before);
  });

  it('editing an owned child by hand is reverted', async () => {
    await core.patchNamespacedSecret({
      name: 'a-child',
      namespace: ns,
      body: [
        { op: 'replace', path: '/data/value', value: Buffer.from('tampered').toString('base64') },
      ],
    });
    await eventually(
      async () => {
        const s = await core.readNamespacedSecret({ name: 'a-child', namespace: ns });
        return Buffer.from(s.data?.value ?? '', 'base64').toString() === 'two' || undefined;
      },
      15_000,
      'secret edit to be reverted',
    );
  });

  it('a child that leaves the label selector requeues the owner, which relabels it', async () => {
    await core.patchNamespacedSecret({
      name: 'a-child',
      namespace: ns,
      body: [{ op: 'remove', path: '/metadata/labels/app.kubernetes.io~1managed-by' }],
    });
    await eventually(
      async () => {
        const s = await core.readNamespacedSecret({ name: 'a-child', namespace: ns });
        return s.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'pms-operator' || undefined;
      },
      15_000,
      'label to be restored',
    );
  });

  it('a failing reconcile is retried with exponential back-off', async () => {
    const key = `${ns}/failing`;
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'failing', labels: { toy: 'yes' } }, data: { fail: 'true' } },
    });
    const attemptsOf = () => calls.filter((c) => c.key === key && c.end !== undefined);
    // 5 ms doubling: the 8th attempt comes 5+10+...+640 ms ≈ 1.3 s (plus reconcile time) after
    // the first; without back-off there would be hundreds by then.
    await eventually(() => attemptsOf().length >= 8 || undefined, 30_000, 'eight attempts');
    const attempts = attemptsOf();
    // The queue's delay before each retry: from the end of one attempt to the start of the next.
    // Timers never fire early, so each must be at least 5 ms * 2^i whatever the machine's load.
    const delays = attempts.slice(1).map((c, i) => c.at - (attempts[i]?.end ?? c.at));
    delays.slice(0, 7).forEach((d, i) => {
      assert.ok(
        d >= 5 * 2 ** i - 1,
        `retry ${i + 1} came after ${d} ms (delays ${delays.join(',')})`,
      );
    });
    assert.ok((delays[0] ?? 0) < 1000, `the first retry is quick: ${delays.join(',')}`);
    assert.ok(attempts.length < 40, `attempts: ${attempts.length}`);
    const text = await (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text();
    const m = /pms_operator_reconcile_errors_total\{controller="toy"\} (\d+)/.exec(text);
    assert.ok(Number(m?.[1]) >= attempts.length - 1, `errors metric: ${m?.[0]}`);

    // Fixing the object resets the back-off: the next change is reconciled at once.
    await core.patchNamespacedConfigMap({
      name: 'failing',
      namespace: ns,
      body: [{ op: 'replace', path: '/data', value: { value: 'fixed' } }],
    });
    await eventually(
      async () => core.readNamespacedSecret({ name: 'failing-child', namespace: ns }),
      10_000,
      'secret after the fix',
    );
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const base = `http://127.0.0.1:${op.port}`;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /pms_operator_reconcile_total\{controller="toy",result="success"\} [1-9]/);
    assert.match(text, /pms_operator_reconcile_total\{controller="toy",result="error"\} [1-9]/);
    assert.match(
      text,
      /pms_operator_reconcile_duration_seconds_bucket\{le="0.005",controller="toy",result="success"\}/,
    );
    assert.match(text, /pms_operator_workqueue_depth\{controller="toy"\} 0/);
    assert.match(text, /pms_operator_instances\{kind="ConfigMap",phase="Unknown"\} [1-9]/);
    assert.match(text, /pms_operator_leader 1/);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });
});

describe('runtime with a controller whose kind is not served', () => {
  it('does not hold back the other controllers, and /readyz reports it', async () => {
    const admin = adminKubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    const ns = await createTestNamespace(admin, 'rt-ghost');
    const identity = await operatorKubeConfig(admin, ns);
    const calls: ToyCall[] = [];
    const ghost = {
      name: 'ghost',
      primary: {
        apiVersion: 'ghosts.pms.io/v1',
        kind: 'Ghost',
        plural: 'ghosts',
        namespaced: true as const,
      },
      owned: [],
      reconcile: async () => ({}),
    };
    const op = await startOperator({
      kubeConfig: identity.kc,
      namespace: ns,
      leaderElection: false,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      controllers: [ghost, toyController(calls)],
      log: createLogger('silent'),
      processMetrics: false,
      watchMinBackoffMs: 100,
    });
    try {
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'b', labels: { toy: 'yes' } }, data: { value: 'v' } },
      });
      await eventually(
        async () => core.readNamespacedSecret({ name: 'b-child', namespace: ns }),
        15_000,
        'toy reconciled despite the ghost',
      );
      const ready = await fetch(`http://127.0.0.1:${op.port}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(await ready.text(), /not synced/);
      assert.ok(op.informerRestarts() > 0, 'the ghost informer keeps retrying');
    } finally {
      await op.stop();
      await identity.cleanup();
      await deleteTestNamespace(admin, ns);
    }
  });
});

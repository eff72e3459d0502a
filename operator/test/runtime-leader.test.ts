// Leader election with two operators on one Lease, under the operator's RBAC: only the leader
// reconciles; when it stops (handing the lease back) the standby takes over within a retry
// period; when it dies without releasing, the standby takes over once the lease expires.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { startOperator } from '../src/operator.ts';
import type { RunningOperator, StartOperatorOptions } from '../src/operator.ts';
import { createLogger } from '../src/log.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
} from './support/operator-kubeconfig.ts';
import type { OperatorIdentity } from './support/operator-kubeconfig.ts';
import { toyController } from './support/toy-controller.ts';
import { TcpProxy } from './support/tcp-proxy.ts';
import type { ToyCall } from './support/toy-controller.ts';

async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await pred()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// Shortened from controller-runtime's 15 s / 10 s / 2 s so the suite stays quick.
const timings = { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 };

describe('leader election', () => {
  let admin: KubeConfig;
  let core: CoreV1Api;
  let ns: string;
  let identity: OperatorIdentity;
  const calls: ToyCall[] = [];
  const running: RunningOperator[] = [];

  const start = async (name: string, extra: Partial<StartOperatorOptions> = {}) => {
    const op = await startOperator({
      kubeConfig: identity.kc,
      namespace: ns,
      leaderElection: true,
      leaseNamespace: ns,
      leaseName: 'toy-leader',
      identity: name,
      resyncMs: 0,
      controllers: [toyController(calls, name)],
      log: createLogger('silent'),
      processMetrics: false,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      ...timings,
      ...extra,
    });
    running.push(op);
    return op;
  };
  const childOf = (name: string) =>
    core.readNamespacedSecret({ name: `${name}-child`, namespace: ns });
  const makePrimary = (name: string) =>
    core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name, labels: { toy: 'yes' } }, data: { value: name } },
    });
  const reconciledBy = (name: string) =>
    new Set(calls.filter((c) => c.key === `${ns}/${name}`).map((c) => c.identity));

  before(async () => {
    admin = adminKubeConfig();
    core = admin.makeApiClient(CoreV1Api);
    ns = await createTestNamespace(admin, 'rt-leader');
    identity = await operatorKubeConfig(admin, ns);
  });

  after(async () => {
    for (const op of running) await op.stop();
    await identity?.cleanup();
    if (ns) await deleteTestNamespace(admin, ns);
  });

  it('only the leader reconciles; the standby takes over when the leader stops', async () => {
    const a = await start('op-a');
    await until(() => a.isLeader(), 10_000, 'op-a to lead');
    const b = await start('op-b');
    await sleep(1500);
    assert.equal(b.isLeader(), false, 'op-b stays on standby while op-a renews');

    await makePrimary('first');
    await until(async () => Boolean(await childOf('first')), 15_000, 'first reconciled');
    await sleep(500);
    assert.deepEqual([...reconciledBy('first')], ['op-a']);
    const lease = await identity.kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'toy-leader', namespace: ns });
    assert.equal(lease.spec?.holderIdentity, 'op-a');
    const bMetrics = await (await fetch(`http://127.0.0.1:${b.port}/metrics`)).text();
    assert.match(bMetrics, /pms_operator_leader 0/);
    assert.equal(
      (await fetch(`http://127.0.0.1:${b.port}/readyz`)).status,
      200,
      'standby is ready',
    );

    await a.stop();
    // op-a handed the lease back on stop (it renewed within the last retry period, so without
    // the release it would still hold it for most of the lease duration).
    const released = await identity.kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'toy-leader', namespace: ns });
    assert.ok(
      ['', undefined, 'op-b'].includes(released.spec?.holderIdentity),
      `holder after op-a stopped: ${released.spec?.holderIdentity}`,
    );
    await until(() => b.isLeader(), 20_000, 'op-b to take over');
    assert.match(
      await (await fetch(`http://127.0.0.1:${b.port}/metrics`)).text(),
      /pms_operator_leader 1/,
    );

    await makePrimary('second');
    await until(async () => Boolean(await childOf('second')), 15_000, 'second reconciled');
    await sleep(500);
    assert.deepEqual([...reconciledBy('second')], ['op-b']);
  });

  it('a leader that dies without releasing is replaced once its lease expires', async () => {
    const b = running.find((op) => op.identity === 'op-b');
    assert.ok(b);
    assert.ok(b.isLeader());
    // op-c will behave like a crashed process: stopping it leaves its name on the lease.
    const c = await start('op-c', { releaseLeaseOnStop: false });
    await b.stop();
    await until(() => c.isLeader(), 20_000, 'op-c to take over from op-b');
    const d = await start('op-d');
    await sleep(1000);
    assert.equal(d.isLeader(), false);

    await c.stop();
    const crashedAt = Date.now();
    const abandoned = await identity.kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'toy-leader', namespace: ns });
    assert.equal(abandoned.spec?.holderIdentity, 'op-c', 'op-c left its name on the lease');
    const lastRenewal = new Date(abandoned.spec?.renewTime as unknown as string).getTime();
    await until(() => d.isLeader(), 20_000, 'op-d to take over an expired lease');
    const expiredAfter = Date.now() - lastRenewal;
    assert.ok(
      expiredAfter >= timings.leaseDurationMs,
      `op-d took the lease ${expiredAfter} ms after its last renewal, before it expired`,
    );
    const waited = Date.now() - crashedAt;
    // Generous: the machine running the tests may be loaded; the requirement is ~20 s with
    // the default 15 s lease.
    assert.ok(waited < 3 * timings.leaseDurationMs, `waited ${waited} ms`);
    await makePrimary('third');
    await until(async () => Boolean(await childOf('third')), 15_000, 'third reconciled');
    await sleep(500);
    assert.deepEqual([...reconciledBy('third')], ['op-d']);
  });

  it('a leader cut off from the API server steps down after the renew deadline', async () => {
    for (const op of running) await op.stop();
    const proxy = new TcpProxy(TcpProxy.targetOf(identity.kc));
    await proxy.start();
    try {
      const cutOff = await start('op-e', { kubeConfig: proxy.kubeConfig(identity.kc) });
      await until(() => cutOff.isLeader(), 15_000, 'op-e to lead');
      const standby = await start('op-f');
      await sleep(1000);
      assert.equal(standby.isLeader(), false);

      await proxy.down();
      // The last renewal the API server recorded (one in flight at the cut may still land).
      await sleep(300);
      const lease = await identity.kc
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: 'toy-leader', namespace: ns });
      assert.equal(lease.spec?.holderIdentity, 'op-e');
      const lastRenewal = new Date(lease.spec?.renewTime as unknown as string).getTime();
      await until(() => !cutOff.isLeader(), 15_000, 'op-e to step down');
      // op-e kept leading until the renew deadline: it does not give up at the first failure.
      // (Less one retry period: a renewal whose response was cut off counts on the server only.)
      const held = Date.now() - lastRenewal;
      assert.ok(
        held >= timings.renewDeadlineMs - timings.retryPeriodMs,
        `stepped down ${held} ms after the last renewal`,
      );
      await until(() => standby.isLeader(), 20_000, 'op-f to take over');
      await makePrimary('fourth');
      await until(async () => Boolean(await childOf('fourth')), 15_000, 'fourth reconciled');
      await sleep(500);
      assert.deepEqual([...reconciledBy('fourth')], ['op-f']);
    } finally {
      await proxy.down();
    }
  });
});

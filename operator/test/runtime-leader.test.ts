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

    const stoppedAt = Date.now();
    await a.stop();
    await until(() => b.isLeader(), 20_000, 'op-b to take over');
    const takeover = Date.now() - stoppedAt;
    assert.ok(takeover < 5000, `released lease taken over in ${takeover} ms`);
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
    await until(() => d.isLeader(), 20_000, 'op-d to take over an expired lease');
    const waited = Date.now() - crashedAt;
    assert.ok(
      waited >= timings.leaseDurationMs - 2 * timings.retryPeriodMs,
      `op-d waited ${waited} ms: it must not take a lease before it expires`,
    );
    assert.ok(waited < timings.leaseDurationMs + 4 * timings.retryPeriodMs, `waited ${waited} ms`);
    await makePrimary('third');
    await until(async () => Boolean(await childOf('third')), 15_000, 'third reconciled');
    await sleep(500);
    assert.deepEqual([...reconciledBy('third')], ['op-d']);
  });
});

// A partitioned leader: its Lease requests hang (held by a proxy between it and the real API
// server) while every other request still gets through, so nothing but the operator's own
// fence can stop its writes. It keeps writing until the renew deadline, then writes nothing,
// well before its lease expires; the standby takes over once the lease expired and writes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { startOperator } from '../src/operator.ts';
import type { RunningOperator } from '../src/operator.ts';
import type { ControllerDefinition } from '../src/controller/types.ts';
import { createLogger } from '../src/log.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
} from './support/operator-kubeconfig.ts';
import type { OperatorIdentity } from './support/operator-kubeconfig.ts';
import { isWrite, startHttpProxy } from './support/http-proxy.ts';
import type { HttpProxy } from './support/http-proxy.ts';

async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await pred()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const timings = { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 };
const isLease = (path: string) => path.includes('/leases');

/** Writes `<name>-out` (who, how many) on every reconcile and runs again 100 ms later. */
function ticker(identity: string, fenced: string[]): ControllerDefinition {
  let n = 0;
  return {
    name: 'ticker',
    primary: { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
    owned: [],
    reconcile: async (ctx, key) => {
      if (key.name.endsWith('-out')) return {};
      try {
        await ctx.apply({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${key.name}-out`, namespace: key.namespace },
          data: { by: identity, n: String(++n) },
        } as KubernetesObject);
      } catch (err) {
        if ((err as Error).name === 'FencedError') fenced.push((err as Error).message);
        throw err;
      }
      return { requeueAfterMs: 100 };
    },
  };
}

describe('leader election: a partitioned leader', () => {
  let admin: KubeConfig;
  let ns: string;
  let identity: OperatorIdentity;
  let proxy: HttpProxy;
  const running: RunningOperator[] = [];

  before(async () => {
    admin = adminKubeConfig();
    ns = await createTestNamespace(admin, 'rt-fence');
    identity = await operatorKubeConfig(admin, ns);
    proxy = await startHttpProxy(admin, identity.kc.getCurrentUser()?.token ?? '');
  });

  after(async () => {
    for (const op of running) await op.stop();
    await proxy?.close();
    await identity?.cleanup();
    if (ns) await deleteTestNamespace(admin, ns);
  });

  it('writes nothing once it cannot renew, and the standby takes over', async () => {
    const fencedA: string[] = [];
    const start = async (name: string, kc: KubeConfig, fenced: string[]) => {
      const op = await startOperator({
        kubeConfig: kc,
        namespace: ns,
        leaderElection: true,
        leaseNamespace: ns,
        leaseName: 'fence-leader',
        identity: name,
        resyncMs: 0,
        controllers: [ticker(name, fenced)],
        log: createLogger('silent'),
        processMetrics: false,
        queueBaseDelayMs: 50,
        queueMaxDelayMs: 200,
        ...timings,
      });
      running.push(op);
      return op;
    };
    const a = await start('op-a', proxy.kc, fencedA);
    await until(() => a.isLeader(), 10_000, 'op-a to lead');
    const b = await start('op-b', identity.kc, []);
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'tick' }, data: {} },
    });
    const out = () => core.readNamespacedConfigMap({ name: 'tick-out', namespace: ns });
    await until(async () => (await out()).data?.by === 'op-a', 15_000, 'op-a writing');
    assert.equal(b.isLeader(), false);

    // Partition op-a from the Lease only: its other requests, writes included, still pass.
    // Its lease requests first fail fast (503) for 2 s, then hang: an attempt that starts late
    // in the term and hangs must not stretch the term past the renew deadline.
    const writesOfA = () =>
      proxy.requests.filter((r) => isWrite(r.method) && !isLease(r.path) && r.forwardedAt);
    const partitionedAt = Date.now();
    proxy.intercept((r) => {
      if (!isLease(r.path)) return undefined;
      return Date.now() - partitionedAt < 2000 ? 'fail' : 'hold';
    });
    await sleep(300);
    const lease = await admin
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'fence-leader', namespace: ns });
    assert.equal(lease.spec?.holderIdentity, 'op-a');
    const lastRenewal = new Date(lease.spec?.renewTime as unknown as string).getTime();
    const expiresAt = lastRenewal + timings.leaseDurationMs;

    await until(() => b.isLeader(), 20_000, 'op-b to take over');
    const tookOverAt = Date.now();
    assert.equal(a.isLeader(), false, 'op-a no longer claims to lead');
    await until(async () => (await out()).data?.by === 'op-b', 10_000, 'op-b writing');
    await sleep(1000);

    const during = writesOfA().filter((r) => (r.forwardedAt ?? 0) > partitionedAt);
    assert.ok(during.length > 0, 'op-a kept writing while its term was still valid');
    const lastWrite = Math.max(...writesOfA().map((r) => r.forwardedAt ?? 0));
    assert.ok(
      lastWrite < expiresAt,
      `op-a wrote ${lastWrite - expiresAt} ms after its lease expired`,
    );
    // The fence closes at lastRenewal + renewDeadline; 500 ms covers the proxy's latency.
    assert.ok(
      lastWrite < lastRenewal + timings.renewDeadlineMs + 500,
      `op-a wrote ${lastWrite - lastRenewal} ms after its last renewal`,
    );
    assert.ok(lastWrite < tookOverAt);
    const live = await out();
    assert.equal((live as V1ConfigMap).data?.by, 'op-b');
  });
});

// Watches that connect and close at once back off further and further (capped), and a watch
// that lived long enough resets the back-off. Against the real API server, through an HTTP
// proxy that answers every watch with an empty 200 and closes it (lists pass through).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { Informer } from '../src/runtime/informer.ts';
import { createLogger } from '../src/log.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
} from './support/operator-kubeconfig.ts';
import type { OperatorIdentity } from './support/operator-kubeconfig.ts';
import { isWatch, startHttpProxy } from './support/http-proxy.ts';
import type { HttpProxy } from './support/http-proxy.ts';

const configMaps = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
} as const;

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('informer: watches that close at once', () => {
  let admin: KubeConfig;
  let ns: string;
  let identity: OperatorIdentity;
  let proxy: HttpProxy;
  let informer: Informer<V1ConfigMap>;
  const names = new Set<string>();

  before(async () => {
    admin = adminKubeConfig();
    ns = await createTestNamespace(admin, 'rt-wbo');
    identity = await operatorKubeConfig(admin, ns);
    proxy = await startHttpProxy(admin, identity.kc.getCurrentUser()?.token ?? '');
    informer = new Informer<V1ConfigMap>({
      kc: proxy.kc,
      kind: configMaps,
      namespace: ns,
      log: createLogger('silent'),
      minBackoffMs: 100,
      maxBackoffMs: 1600,
      healthyWatchMs: 1000,
    });
    informer.on((_type, obj) => names.add(obj.metadata?.name ?? ''));
  });

  after(async () => {
    await informer?.stop();
    await proxy?.close();
    await identity?.cleanup();
    if (ns) await deleteTestNamespace(admin, ns);
  });

  const watchTimes = () =>
    proxy.requests.filter((r) => isWatch(r.path)).map((r) => r.forwardedAt ?? 0);

  it('backs off exponentially up to the cap, then resets after a healthy watch', async () => {
    proxy.closeWatches = true;
    await informer.start();
    const startedAt = Date.now();
    await sleep(7000);
    const times = watchTimes().filter((t) => t >= startedAt);
    // Without a growing back-off: one reconnect per ~100 ms, about 70 in 7 s.
    // With it: 100, 200, 400, 800, 1600, 1600, ... (±20 %): about 8.
    assert.ok(times.length >= 5 && times.length <= 11, `${times.length} watch connects in 7 s`);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    assert.ok((gaps[0] ?? 0) < 400, `first gap ${gaps[0]} ms`);
    assert.ok(
      gaps.slice(-2).every((g) => g >= 1600 * 0.8 - 50 && g <= 1600 * 1.2 + 400),
      `late gaps at the cap: ${gaps.join(', ')}`,
    );
    assert.ok(informer.consecutiveFailures >= 5);

    // Heal; once a watch has lived past healthyWatchMs, the back-off starts over.
    proxy.closeWatches = false;
    const healedAt = Date.now();
    await until(
      () => watchTimes().some((t) => t > healedAt),
      3000,
      'a watch through the healed proxy',
    );
    await sleep(1500);
    await admin.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'seen-by-watch' } },
    });
    await until(() => names.has('seen-by-watch'), 5000, 'the watch to deliver an event');
    const droppedAt = Date.now();
    proxy.dropWatches();
    await until(() => watchTimes().some((t) => t > droppedAt), 3000, 'a reconnect');
    const reconnectAfter = Math.min(...watchTimes().filter((t) => t > droppedAt)) - droppedAt;
    assert.ok(reconnectAfter < 400, `reconnected ${reconnectAfter} ms after a healthy watch`);
    assert.ok(informer.consecutiveFailures <= 1);
  });
});

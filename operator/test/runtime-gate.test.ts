// The request gate against the real API server: every request of a GatedKubeConfig (typed
// clients and KubernetesObjectApi alike) waits for the token bucket, and a closed fence
// refuses writes (reads still pass) without sending them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { Fence, FencedError, GatedKubeConfig, samePoolIdentity } from '../src/runtime/gate.ts';
import { TokenBucket } from '../src/runtime/rate-limit.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
} from './support/operator-kubeconfig.ts';
import { startHttpProxy } from './support/http-proxy.ts';
import type { HttpProxy } from './support/http-proxy.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

describe('request gate', () => {
  let admin: KubeConfig;
  let ns: string;
  let proxy: HttpProxy;

  before(async () => {
    admin = adminKubeConfig();
    ns = await createTestNamespace(admin, 'rt-gate');
  });
  after(async () => {
    await proxy?.close();
    if (ns) await deleteTestNamespace(admin, ns);
  });

  it('paces requests at qps after the burst', async () => {
    const kc = new GatedKubeConfig(admin, { limiter: new TokenBucket({ qps: 10, burst: 2 }) });
    const core = kc.makeApiClient(CoreV1Api);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const started = performance.now();
    for (let i = 0; i < 6; i++) {
      if (i % 2) await core.listNamespacedConfigMap({ namespace: ns });
      else await objects.list('v1', 'ConfigMap', ns);
    }
    const ms = performance.now() - started;
    // 2 at once, then 4 more 100 ms apart: at least 400 ms.
    assert.ok(ms >= 380, `6 requests took ${Math.round(ms)} ms`);
  });

  it('a closed fence refuses writes before they are sent; reads pass', async () => {
    const identity = await operatorKubeConfig(admin, ns);
    try {
      proxy = await startHttpProxy(admin, identity.kc.getCurrentUser()?.token ?? '');
      const fence = new Fence();
      const core = new GatedKubeConfig(proxy.kc, { fence }).makeApiClient(CoreV1Api);
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'a' } } });
      fence.close('test');
      const before = proxy.requests.length;
      await assert.rejects(
        core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'b' } } }),
        FencedError,
      );
      assert.equal(proxy.requests.length, before, 'the refused write never left');
      await core.readNamespacedConfigMap({ name: 'a', namespace: ns });
      // A fence whose validity passed closes itself on the next write.
      const expired = new Fence(() => Date.now() - 1);
      const late = new GatedKubeConfig(proxy.kc, { fence: expired }).makeApiClient(CoreV1Api);
      await assert.rejects(
        late.deleteNamespacedConfigMap({ name: 'a', namespace: ns }),
        FencedError,
      );
      assert.equal(expired.open, false);
    } finally {
      await identity.cleanup();
    }
  });

  it('sends every request over one connection pool, a new one when the TLS identity changes', async () => {
    const tcp = new TcpProxy(TcpProxy.targetOf(admin));
    await tcp.start();
    try {
      const viaProxy = tcp.kubeConfig(admin);
      // What the gate works around: client-node alone opens a connection per request. When
      // this fails, client-node pools by itself and the gate's override can go.
      const plain = viaProxy.makeApiClient(CoreV1Api);
      for (let i = 0; i < 5; i++) await plain.listNamespacedConfigMap({ namespace: ns });
      assert.equal(tcp.accepted, 5, 'client-node 2.0: one connection per request');

      const kc = new GatedKubeConfig(viaProxy, {});
      const core = kc.makeApiClient(CoreV1Api);
      const objects = KubernetesObjectApi.makeApiClient(kc);
      const before = tcp.accepted;
      for (let i = 0; i < 20; i++) {
        if (i % 2) await core.listNamespacedConfigMap({ namespace: ns });
        else await objects.list('v1', 'ConfigMap', ns);
      }
      assert.equal(tcp.accepted - before, 1, '20 sequential requests, one connection');
      // Concurrent requests need one connection each, and keep them for the next ones.
      await Promise.all([0, 1, 2, 3].map(() => core.listNamespacedConfigMap({ namespace: ns })));
      const concurrent = tcp.accepted - before;
      assert.ok(concurrent <= 4, `4 concurrent requests opened ${concurrent} connections`);
      await Promise.all([0, 1, 2, 3].map(() => core.listNamespacedConfigMap({ namespace: ns })));
      assert.equal(tcp.accepted - before, concurrent, 'the second round reused them');

      // A rotated CA (here the same certificates with another trailing newline, so other
      // bytes) gets a new pool: a new connection.
      const cluster = kc.getCurrentCluster();
      assert.ok(cluster);
      const ca = cluster.caData
        ? Buffer.from(cluster.caData, 'base64').toString()
        : readFileSync(cluster.caFile ?? '', 'utf8');
      kc.clusters = kc.clusters.map((c) =>
        c.name === cluster.name
          ? { ...c, caFile: undefined, caData: Buffer.from(`${ca}\n`).toString('base64') }
          : c,
      );
      const rotated = tcp.accepted;
      await core.listNamespacedConfigMap({ namespace: ns });
      await core.listNamespacedConfigMap({ namespace: ns });
      assert.equal(tcp.accepted - rotated, 1, 'one new connection after the rotation');
      await kc.close();
    } finally {
      await tcp.down();
    }
  });
});

describe('samePoolIdentity', () => {
  it('compares certificates by content', () => {
    const id = (ca: string, insecure?: boolean) => [
      'https://a',
      undefined,
      Buffer.from(ca),
      insecure,
    ];
    assert.equal(samePoolIdentity(id('x'), id('x')), true);
    assert.equal(samePoolIdentity(id('x'), id('y')), false);
    assert.equal(samePoolIdentity(id('x'), id('x', false)), false);
    assert.equal(samePoolIdentity([[Buffer.from('a')]], [[Buffer.from('a')]]), true);
  });
});

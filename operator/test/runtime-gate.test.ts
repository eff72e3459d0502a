// The request gate against the real API server: every request of a GatedKubeConfig (typed
// clients and KubernetesObjectApi alike) waits for the token bucket, and a closed fence
// refuses writes (reads still pass) without sending them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { Fence, FencedError, GatedKubeConfig } from '../src/runtime/gate.ts';
import { TokenBucket } from '../src/runtime/rate-limit.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
} from './support/operator-kubeconfig.ts';
import { startHttpProxy } from './support/http-proxy.ts';
import type { HttpProxy } from './support/http-proxy.ts';

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
});

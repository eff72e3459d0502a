// The informer against the real API server, through a TCP proxy that breaks the network:
// it sees adds, updates and deletes; after connections are dropped and refused it restarts
// with back-off and catches up from its resourceVersion (no replay of unchanged objects);
// a black-holed watch is restarted by the staleness watchdog.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { Informer } from '../src/runtime/informer.ts';
import type { InformerEvent } from '../src/runtime/informer.ts';
import { createLogger } from '../src/log.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
} from './support/operator-kubeconfig.ts';
import type { OperatorIdentity } from './support/operator-kubeconfig.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

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
    await sleep(50);
  }
}

describe('informer', () => {
  let admin: KubeConfig;
  let core: CoreV1Api;
  let ns: string;
  let identity: OperatorIdentity;
  let proxy: TcpProxy;
  let informer: Informer<V1ConfigMap>;
  const seen: Array<{ type: InformerEvent; name: string; value?: string }> = [];
  const restarts: string[] = [];
  const has = (type: InformerEvent, name: string, value?: string) =>
    seen.some(
      (e) => e.type === type && e.name === name && (value === undefined || e.value === value),
    );

  before(async () => {
    admin = adminKubeConfig();
    core = admin.makeApiClient(CoreV1Api);
    ns = await createTestNamespace(admin, 'rt-inf');
    identity = await operatorKubeConfig(admin, ns);
    proxy = new TcpProxy(TcpProxy.targetOf(identity.kc));
    await proxy.start();
    informer = new Informer<V1ConfigMap>({
      kc: proxy.kubeConfig(identity.kc),
      kind: configMaps,
      namespace: ns,
      log: createLogger('silent'),
      minBackoffMs: 100,
      maxBackoffMs: 1000,
      staleAfterMs: 1500,
      onRestart: (reason) => restarts.push(reason),
    });
    informer.on((type, obj) =>
      seen.push({ type, name: obj.metadata?.name ?? '', value: obj.data?.value }),
    );
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'pre-existing' }, data: { value: '0' } },
    });
    await informer.start();
  });

  after(async () => {
    await informer?.stop();
    await proxy?.down();
    await identity?.cleanup();
    if (ns) await deleteTestNamespace(admin, ns);
  });

  it('lists existing objects on start', () => {
    assert.ok(informer.synced);
    assert.ok(has('add', 'pre-existing', '0'));
    assert.equal(informer.get('pre-existing', ns)?.data?.value, '0');
  });

  it('sees add, update and delete', async () => {
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'a' }, data: { value: '1' } },
    });
    await until(() => has('add', 'a', '1'), 10_000, 'add');
    await core.replaceNamespacedConfigMap({
      name: 'a',
      namespace: ns,
      body: { metadata: { name: 'a' }, data: { value: '2' } },
    });
    await until(() => has('update', 'a', '2'), 10_000, 'update');
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: ns });
    await until(() => has('delete', 'a'), 10_000, 'delete');
    assert.equal(informer.get('a', ns), undefined);
  });

  it('with a label selector caches only matching objects; one that stops matching is a delete', async () => {
    const events: Array<[InformerEvent, string]> = [];
    const selective = new Informer<V1ConfigMap>({
      kc: identity.kc,
      kind: { ...configMaps, labelSelector: 'sel=yes' },
      namespace: ns,
      log: createLogger('silent'),
    });
    selective.on((type, obj) => events.push([type, obj.metadata?.name ?? '']));
    try {
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'sel-match', labels: { sel: 'yes' } } },
      });
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'sel-other', labels: { sel: 'no' } } },
      });
      await selective.start();
      assert.deepEqual(
        selective.list().map((o) => o.metadata?.name),
        ['sel-match'],
      );
      await core.patchNamespacedConfigMap({
        name: 'sel-match',
        namespace: ns,
        body: [{ op: 'replace', path: '/metadata/labels/sel', value: 'no' }],
      });
      await until(
        () => events.some(([t, n]) => t === 'delete' && n === 'sel-match'),
        10_000,
        'delete',
      );
      assert.equal(selective.list().length, 0);
      // The unfiltered informer sees the same change as an update (and later tests count on
      // having seen it).
      await until(() => has('update', 'sel-match'), 10_000, 'update in the unfiltered informer');
    } finally {
      await selective.stop();
    }
  });

  it('recovers after the watch is broken and the API server is unreachable', async () => {
    const restartsBefore = informer.restartCount;
    const eventsBefore = seen.length;
    await proxy.down();
    // While the operator cannot reach the API server, the world changes.
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'during-outage' }, data: { value: 'x' } },
    });
    await core.deleteNamespacedConfigMap({ name: 'pre-existing', namespace: ns });
    await sleep(1500);
    assert.ok(informer.restartCount > restartsBefore, 'the broken watch was restarted');
    await proxy.up();
    await until(() => has('add', 'during-outage', 'x'), 15_000, 'add made during the outage');
    await until(() => has('delete', 'pre-existing'), 15_000, 'delete made during the outage');
    // Resumed from its resourceVersion: nothing unchanged was replayed.
    const replayed = seen
      .slice(eventsBefore)
      .filter((e) => !['during-outage', 'pre-existing'].includes(e.name));
    assert.deepEqual(replayed, []);
    // And it keeps watching.
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'after' }, data: { value: 'y' } },
    });
    await until(() => has('add', 'after', 'y'), 10_000, 'add after recovery');
  });

  it('restarts a stale (black-holed) watch through the watchdog', async () => {
    const staleBefore = restarts.filter((r) => r === 'stale').length;
    proxy.setBlackhole(true);
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'while-stale' }, data: { value: 'z' } },
    });
    await until(
      () => restarts.filter((r) => r === 'stale').length > staleBefore,
      10_000,
      'watchdog restart',
    );
    assert.equal(has('add', 'while-stale'), false, 'nothing flows through a black hole');
    proxy.setBlackhole(false);
    proxy.dropConnections();
    await until(() => has('add', 'while-stale', 'z'), 15_000, 'catch-up after the black hole');
  });
});

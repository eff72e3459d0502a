// The informers' paginated LIST against the real API server: every object arrives over pages
// of `limit`, and an expired continue token (410 Gone) restarts the list from a fresh
// snapshot. The API server only expires a continue token after etcd compacted its revision
// (minutes), so this test answers one continue request with the server's 410 Status itself:
// a KubeConfig that sends that single request to a local endpoint; every other request goes
// to the real API server.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';
import { collectionPath } from '../src/runtime/informer.ts';
import { ListError, pagedList } from '../src/runtime/list.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
} from './support/operator-kubeconfig.ts';

const admin = adminKubeConfig();
const client = KubernetesObjectApi.makeApiClient(admin);
const CM = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true as const };
const COUNT = 7;
let ns = '';
let gone: Server;
let gonePort = 0;

/** `admin`'s cluster and user; the first `expire` requests with a continue token get 410. */
class ExpiringKubeConfig extends KubeConfig {
  expire: number;
  urls: string[] = [];
  constructor(expire: number) {
    super();
    this.loadFromOptions({
      clusters: admin.clusters,
      users: admin.users,
      contexts: admin.contexts,
      currentContext: admin.currentContext,
    });
    this.expire = expire;
  }
  override async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(ctx);
    this.urls.push(ctx.getUrl());
    if (this.expire > 0 && new URL(ctx.getUrl()).searchParams.has('continue')) {
      this.expire -= 1;
      ctx.setUrl(`http://127.0.0.1:${gonePort}/expired`);
    }
  }
}

async function listNames(kc: KubeConfig, limit: number) {
  let names: string[] = [];
  const result = await pagedList(kc, collectionPath(CM, ns), CM, {
    limit,
    labelSelector: 'test=paged',
    onItem: (o) => names.push(`${o.kind}/${o.metadata?.name}`),
    onRestart: () => {
      names = [];
    },
  });
  return { names: names.sort(), result };
}

describe('paginated list', () => {
  before(async () => {
    ns = await createTestNamespace(admin, 'paged');
    for (let n = 0; n < COUNT; n++)
      await client.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${n}`, namespace: ns, labels: { test: 'paged' } },
      } as KubernetesObject);
    // Not selected: never listed.
    await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'other', namespace: ns },
    } as KubernetesObject);
    gone = createServer((_req, res) => {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message:
            'The provided continue parameter is too old to display a consistent list result.',
          reason: 'Expired',
          code: 410,
        }),
      );
    });
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    gonePort = (gone.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((r) => gone.close(() => r()));
    await deleteTestNamespace(admin, ns);
  });

  const expected = Array.from({ length: COUNT }, (_, n) => `ConfigMap/cm-${n}`).sort();

  it('reads every selected object over pages of `limit`', async () => {
    const kc = new ExpiringKubeConfig(0);
    const { names, result } = await listNames(kc, 2);
    assert.deepEqual(names, expected);
    assert.equal(result.pages, Math.ceil(COUNT / 2));
    assert.equal(result.restarts, 0);
    assert.ok(Number(result.resourceVersion) > 0);
    assert.ok(kc.urls.every((u) => new URL(u).searchParams.get('limit') === '2'));
    assert.equal(kc.urls.filter((u) => new URL(u).searchParams.has('continue')).length, 3);
  });

  it('starts over when a continue token expired (410) and still gets every object once', async () => {
    const kc = new ExpiringKubeConfig(1);
    const { names, result } = await listNames(kc, 3);
    assert.deepEqual(names, expected);
    assert.equal(result.restarts, 1);
    // One page before the 410, then the three pages of the fresh list.
    assert.equal(result.pages, 1 + Math.ceil(COUNT / 3));
  });

  it('fails with the 410 once the restarts are used up', async () => {
    const kc = new ExpiringKubeConfig(10);
    await assert.rejects(
      pagedList(kc, collectionPath(CM, ns), CM, { limit: 2, maxRestarts: 2, onItem: () => {} }),
      (err: unknown) => err instanceof ListError && err.code === 410,
    );
  });
});

// The owned-kind caches against the real API server, under the operator's RBAC, through a
// request-logging proxy: informers list page by page and watch only managed-by objects (an
// unlabelled Secret or ConfigMap never enters the cache, a cached Secret holds no data),
// every child the operator creates carries the label, and reconciles read their children from
// the caches: after start-up no LIST of a child kind is sent, a steady state writes nothing,
// and a spec change converges without a write storm.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';
import { OWNED_KINDS } from '../src/controller/owned.ts';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { createLogger } from '../src/log.ts';
import { startOperator, type RunningOperator } from '../src/operator.ts';
import type { Informer } from '../src/runtime/informer.ts';
import { startCountingProxy, type CountingProxy } from './support/counting-proxy.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
  type OperatorIdentity,
} from './support/operator-kubeconfig.ts';
import {
  deleteVolumes,
  eventually,
  installCrd,
  provideVolumes,
  readSample,
  sleep,
} from './support/pms.ts';

const admin = adminKubeConfig();
const client = KubernetesObjectApi.makeApiClient(admin);
const MANAGED = 'app.kubernetes.io/managed-by=pms-operator';
const PAGE = 5;
const FILLER = 31; // labelled ConfigMaps of no instance: ceil(31 / 5) = 7 pages
let ns = '';
let identity: OperatorIdentity;
let proxy: CountingProxy;
let operator: RunningOperator | undefined;

type Obj = KubernetesObject & { status?: Record<string, unknown>; data?: unknown };

function informer(plural: string): Informer {
  const inf = [...(operator?.informers().values() ?? [])].find((i) => i.kind.plural === plural);
  assert.ok(inf, `an informer for ${plural}`);
  return inf;
}

async function reconciles(): Promise<number> {
  const c = operator?.metrics.getSingleMetric('pms_operator_reconcile_total') as Counter;
  return (await c.get()).values.reduce((n, v) => n + v.value, 0);
}

/** GETs of a collection of an owned kind in the test namespace that are not watches. */
const childLists = (requests: string[]) =>
  requests.filter((r) => {
    const [method, url = ''] = r.split(' ');
    const u = new URL(url, 'http://x');
    const plural = u.pathname.split('/').at(-1);
    return (
      method === 'GET' &&
      u.searchParams.get('watch') !== 'true' &&
      OWNED_KINDS.some((k) => k.plural === plural) &&
      u.pathname.includes(`/namespaces/${ns}/`)
    );
  });

const isWatch = (r: string) => /[?&]watch=true/.test(r);

async function readyInstance(): Promise<Obj | undefined> {
  const o = (await client.read({
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name: 'demo', namespace: ns },
  })) as Obj & { metadata: { generation?: number } };
  const conds = (o.status?.conditions ?? []) as { type: string; status: string }[];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True') &&
    o.status?.observedGeneration === o.metadata.generation
    ? o
    : undefined;
}

describe('owned-kind caches: label-selected, paginated, read by reconciles', () => {
  before(async () => {
    await installCrd(admin);
    ns = await createTestNamespace(admin, 'cache');
    identity = await operatorKubeConfig(admin, ns);
    proxy = await startCountingProxy(admin, identity.kc.getCurrentUser()?.token ?? '');
    await provideVolumes(admin, ns, [
      { name: 'data-demo-mongodb-0', size: '10Gi' },
      { name: 'data-demo-minio-0', size: '10Gi' },
    ]);
    for (let n = 0; n < FILLER; n++) {
      await client.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: `filler-${n}`,
          namespace: ns,
          labels: { 'app.kubernetes.io/managed-by': 'pms-operator' },
        },
        data: { n: String(n) },
      } as KubernetesObject);
    }
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'user-before', namespace: ns },
      stringData: { uri: 'mongodb://u:p@db:27017/x' },
    } as KubernetesObject);
    await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'user-before', namespace: ns },
      data: { a: 'b' },
    } as KubernetesObject);
    operator = await startOperator({
      kubeConfig: proxy.kc,
      namespace: ns,
      leaderElection: false,
      resyncMs: 1000,
      listPageSize: PAGE,
      processMetrics: false,
      controllers: [pmsInstanceController],
      log: createLogger('warn'),
    });
    await eventually('informers synced', async () => (operator?.ready() ? true : undefined));
  });
  after(async () => {
    await operator?.stop();
    await proxy?.close();
    await deleteTestNamespace(admin, ns);
    await identity?.cleanup();
    await deleteVolumes(admin, ns);
  });

  it('lists page by page with limit and continue', async () => {
    const cms = informer('configmaps');
    assert.ok(cms.synced);
    assert.equal(cms.lastListStats?.pages, Math.ceil(FILLER / PAGE));
    for (let n = 0; n < FILLER; n++) assert.ok(cms.get(`filler-${n}`, ns), `filler-${n}`);
    const pages = proxy.requests.filter((r) => r.includes(`/namespaces/${ns}/configmaps?`));
    assert.ok(
      pages.some((r) => /[?&]continue=/.test(r)),
      pages.join('\n'),
    );
    assert.ok(pages.every((r) => r.includes(`limit=${PAGE}`) || isWatch(r)));
  });

  it('watches owned kinds with the managed-by selector only', () => {
    for (const inf of operator?.informers().values() ?? []) {
      if (inf.kind.kind === 'PmsInstance') assert.equal(inf.selector, undefined);
      else assert.equal(inf.selector, MANAGED, inf.kind.plural);
    }
    const owned = proxy.requests.filter((r) =>
      OWNED_KINDS.some((k) => r.includes(`/${k.plural}?`)),
    );
    assert.ok(owned.length >= OWNED_KINDS.length);
    for (const r of owned)
      assert.ok(
        decodeURIComponent(r).includes(`labelSelector=${MANAGED}`),
        `unselected request: ${r}`,
      );
  });

  it('never caches an unlabelled Secret or ConfigMap, before or after start', async () => {
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'user-after', namespace: ns },
      stringData: { key: 'value' },
    } as KubernetesObject);
    await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'user-after', namespace: ns },
      data: { a: 'b' },
    } as KubernetesObject);
    // A labelled one created at the same time arrives: the watch is live.
    await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'labelled-after',
        namespace: ns,
        labels: { 'app.kubernetes.io/managed-by': 'pms-operator' },
      },
    } as KubernetesObject);
    await eventually('labelled ConfigMap cached', async () =>
      informer('configmaps').get('labelled-after', ns) ? true : undefined,
    );
    for (const plural of ['secrets', 'configmaps']) {
      const names = informer(plural)
        .list()
        .map((o) => o.metadata?.name);
      assert.ok(!names.includes('user-before'), `${plural}: ${names.join(', ')}`);
      assert.ok(!names.includes('user-after'), `${plural}: ${names.join(', ')}`);
    }
  });

  it('creates every child with the managed-by label and caches it stripped', async () => {
    for (const obj of readSample('01-minimal.yaml')) {
      obj.metadata = { ...obj.metadata, namespace: ns };
      await client.create(obj);
    }
    await eventually('demo Ready', readyInstance, 120_000);
    const uid = (
      await client.read({
        apiVersion: 'pms.io/v1alpha1',
        kind: 'PmsInstance',
        metadata: { name: 'demo', namespace: ns },
      })
    ).metadata?.uid;
    let children = 0;
    for (const kind of OWNED_KINDS) {
      const list = await client.list(kind.apiVersion, kind.kind, ns);
      for (const o of list.items) {
        const labels = o.metadata?.labels ?? {};
        const owned = (o.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
        if (!owned && labels['app.kubernetes.io/instance'] !== 'demo') continue;
        children += 1;
        assert.equal(
          labels['app.kubernetes.io/managed-by'],
          'pms-operator',
          `${kind.kind}/${o.metadata?.name}`,
        );
        const cached = informer(kind.plural).get(o.metadata?.name ?? '', ns) as Obj | undefined;
        assert.ok(cached, `${kind.kind}/${o.metadata?.name} cached`);
        // Compact: who wrote when, without field sets; no spec body beyond what reconciles
        // read (runtime/strip.ts); drift is decided from the applied-hash annotation.
        assert.ok(
          (cached.metadata?.managedFields ?? []).every((m) => m.fieldsV1 === undefined),
          `${kind.kind}/${o.metadata?.name}: managedFields without field sets`,
        );
        assert.equal(
          (cached as { spec?: { template?: unknown } }).spec?.template,
          undefined,
          `${kind.kind}/${o.metadata?.name}: no pod template cached`,
        );
        if (!['Secret', 'Job'].includes(kind.kind))
          assert.ok(
            cached.metadata?.annotations?.['pms.io/applied-hash'],
            `${kind.kind}/${o.metadata?.name}: applied-hash annotation`,
          );
        if (kind.kind === 'Secret') assert.equal(cached.data, undefined, 'no Secret data');
        if (!['Deployment', 'StatefulSet', 'Job'].includes(kind.kind))
          assert.equal(cached.status, undefined, `${kind.kind} status stripped`);
      }
    }
    assert.ok(children >= 20, `children: ${children}`);
  });

  it('reconciles read the caches: no LIST of a child kind, no write, no GET of the instance', async () => {
    await sleep(1500);
    proxy.reset();
    const before = await reconciles();
    await sleep(6000);
    const n = (await reconciles()) - before;
    assert.ok(n >= 4, `reconciles in the window: ${n}`);
    assert.deepEqual(childLists(proxy.requests), []);
    assert.deepEqual(proxy.writes, []);
    // The instance comes from its informer too. Besides watches: only the discovery of optional
    // kinds (once per 60 s TTL); where an earlier suite left their CRDs installed (ServiceMonitor,
    // HTTPRoute) they are watched from the first reconcile that found them served.
    const other = proxy.requests.filter(
      (r) => !isWatch(r) && !/^GET \/apis\/[^/]+\/[^/?]+$/.test(r),
    );
    assert.deepEqual(other, []);
  });

  it('converges a spec change from the caches without a write storm', async () => {
    proxy.reset();
    await client.patch(
      {
        apiVersion: 'pms.io/v1alpha1',
        kind: 'PmsInstance',
        metadata: { name: 'demo', namespace: ns },
        spec: { backend: { replicas: 2 }, version: '0.1.1' },
      } as KubernetesObject,
      undefined,
      undefined,
      'pms-test',
      undefined,
      PatchStrategy.MergePatch,
    );
    await eventually(
      'backend at 2 replicas',
      async () => {
        const d = (await client.read({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'demo-backend', namespace: ns },
        })) as Obj & { spec?: { replicas?: number } };
        return d.spec?.replicas === 2 ? true : undefined;
      },
      30_000,
    );
    await eventually('demo Ready again', readyInstance, 120_000);
    await sleep(1500);
    const writes = proxy.writes.filter((w) => !w.includes('/events'));
    // Each child once for the version label, plus at most one redundant apply per child
    // read stale from the cache, plus status writes; not a loop.
    assert.ok(writes.length < 80, `${writes.length} writes:\n${writes.join('\n')}`);
    assert.deepEqual(childLists(proxy.requests), []);
    proxy.reset();
    await sleep(5000);
    assert.deepEqual(proxy.writes, []);
    assert.deepEqual(childLists(proxy.requests), []);
  });
});

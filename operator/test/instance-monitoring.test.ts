// spec.monitoring against the real API server, under the operator's own RBAC: on a cluster
// without the Prometheus Operator's ServiceMonitor CRD an instance with monitoring enabled
// still becomes Ready (and nothing watches the missing kind); once the CRD is served the
// operator renders the ServiceMonitor <instance>-backend with a controller owner reference,
// watches the kind from then on (no LIST per reconcile), leaves it alone in the steady state
// (zero writes through a counting proxy), re-creates it
// when deleted, and prunes it when monitoring is disabled. The CRD is the small
// test copy tools/packaging/test/fixtures/monitoring-crds.yaml; it stays installed for the rest
// of the run (other files may use it; support/crd-cleanup.ts removes it at the end if this run
// added it), so the "without" case runs only when discovery says it is absent and the file
// otherwise asserts the ServiceMonitor case from the start.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PatchStrategy, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';
import { Applier, installCrds, type KubeObject } from '@pms/testenv';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { isServed } from '../src/controller/discovery.ts';
import { SERVICE_MONITOR } from '../src/controller/owned.ts';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { makeReconciler } from '../src/controller/reconcile.ts';
import { createLogger } from '../src/log.ts';
import { startOperator, type RunningOperator } from '../src/operator.ts';
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
  instance,
  provideVolumes,
  rawRequest,
  sleep,
} from './support/pms.ts';

const monitoringCrds = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../tools/packaging/test/fixtures/monitoring-crds.yaml',
);

const admin = adminKubeConfig();
const client = KubernetesObjectApi.makeApiClient(admin);
let ns = '';
let identity: OperatorIdentity;
let operator: RunningOperator | undefined;
let proxy: CountingProxy;

type Obj = KubernetesObject & {
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  status?: Record<string, unknown>;
};
type Condition = { type: string; status: string; reason: string };

async function get(path: string): Promise<Obj | undefined> {
  const res = await rawRequest(admin, 'GET', path);
  if (res.status === 404) return undefined;
  if (res.status >= 300) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Obj;
}
const smPath = (name: string) =>
  `/apis/monitoring.coreos.com/v1/namespaces/${ns}/servicemonitors/${name}`;
const readInstance = (name: string) =>
  get(`/apis/pms.io/v1alpha1/namespaces/${ns}/pmsinstances/${name}`);

async function waitReady(name: string): Promise<Obj> {
  return eventually(
    `${name} Ready`,
    async () => {
      const o = await readInstance(name);
      const ready = (o?.status?.conditions as Condition[] | undefined)?.find(
        (c) => c.type === 'Ready',
      );
      return ready?.status === 'True' && o?.status?.observedGeneration === o?.metadata?.generation
        ? o
        : undefined;
    },
    120_000,
  );
}

/** Server-side applies the test ServiceMonitor CRD (tolerates it being installed); waits until served. */
async function installServiceMonitorCrd(): Promise<void> {
  const crd = parseAllDocuments(readFileSync(monitoringCrds, 'utf8'))
    .map((d) => d.toJS() as KubernetesObject)
    .find((o) => o?.metadata?.name === 'servicemonitors.monitoring.coreos.com');
  assert.ok(crd, 'the fixture has the ServiceMonitor CRD');
  await installCrds(await Applier.fromKubeconfig(admin), [crd as KubeObject], {
    fieldManager: 'pms-test',
  });
  await eventually('servicemonitors served', () => isServed(admin, SERVICE_MONITOR));
}

async function expectServiceMonitor(name: string, uid: string): Promise<Obj> {
  const sm = await eventually(`ServiceMonitor ${name}`, () => get(smPath(`${name}-backend`)));
  const owner = sm.metadata?.ownerReferences?.find((r) => r.controller);
  assert.equal(owner?.uid, uid);
  assert.equal(owner?.kind, 'PmsInstance');
  const l = sm.metadata?.labels ?? {};
  assert.equal(l['app.kubernetes.io/instance'], name);
  assert.equal(l['app.kubernetes.io/component'], 'backend');
  assert.equal(l['app.kubernetes.io/managed-by'], 'pms-operator');
  assert.equal(l.release, 'prometheus');
  assert.deepEqual(sm.spec?.selector, {
    matchLabels: {
      'app.kubernetes.io/name': 'pms',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/component': 'backend',
    },
  });
  assert.deepEqual(sm.spec?.endpoints, [
    { port: 'metrics', path: '/metrics', scheme: 'http', interval: '15s' },
  ]);
  // The selected Service exists and has the named port.
  const svc = await get(`/api/v1/namespaces/${ns}/services/${name}-backend`);
  assert.ok(
    (svc?.spec?.ports as { name: string }[]).some((p) => p.name === 'http'),
    'backend Service has the http port',
  );
  return sm;
}

describe('PmsInstance controller: spec.monitoring and the ServiceMonitor', () => {
  let uid = '';
  before(async () => {
    await installCrd(admin);
    ns = await createTestNamespace(admin, 'mon');
    identity = await operatorKubeConfig(admin, ns);
    proxy = await startCountingProxy(admin, identity.kc.getCurrentUser()?.token ?? '');
    await provideVolumes(admin, ns, [
      { name: 'data-mon-mongodb-0', size: '10Gi' },
      { name: 'data-mon-minio-0', size: '10Gi' },
    ]);
    operator = await startOperator({
      kubeConfig: proxy.kc,
      namespace: ns,
      leaderElection: false,
      resyncMs: 1000,
      processMetrics: false,
      // Discovery uncached, so installing the CRD mid-test is seen at once.
      controllers: [{ ...pmsInstanceController, reconcile: makeReconciler({ discoveryTtlMs: 0 }) }],
      log: createLogger('warn'),
    });
  });
  after(async () => {
    await operator?.stop();
    await proxy?.close();
    await deleteTestNamespace(admin, ns);
    await identity?.cleanup();
    await deleteVolumes(admin, ns);
  });

  it('an instance with monitoring enabled becomes Ready whether or not ServiceMonitors are served', async () => {
    const servedBefore = await isServed(admin, SERVICE_MONITOR);
    await client.create(
      instance(ns, 'mon', {
        monitoring: { enabled: true, interval: '15s', labels: { release: 'prometheus' } },
      }),
    );
    const o = await waitReady('mon');
    uid = o.metadata?.uid ?? '';
    assert.ok(uid);
    assert.ok(operator?.ready(), 'every informer synced: the missing kind is not watched');
    const deploy = await get(`/apis/apps/v1/namespaces/${ns}/deployments/mon-backend`);
    const annotations = deploy?.spec?.template.metadata.annotations as Record<string, string>;
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    if (!servedBefore) {
      // Without the Prometheus Operator: no ServiceMonitor API, nothing failed.
      const res = await rawRequest(admin, 'GET', '/apis/monitoring.coreos.com/v1');
      assert.equal(res.status, 404);
      const warnings = await get(
        `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent('type=Warning')}`,
      );
      const reasons = ((warnings as { items?: { reason: string }[] })?.items ?? []).map(
        (e) => e.reason,
      );
      assert.ok(!reasons.includes('ApplyFailed'), JSON.stringify(reasons));
    } else {
      await expectServiceMonitor('mon', uid);
    }
  });

  it('renders the ServiceMonitor once the CRD is served, with a controller owner reference', async () => {
    await installServiceMonitorCrd();
    await expectServiceMonitor('mon', uid);
    await waitReady('mon');
    // Steady state: reconciling every second rewrites nothing, the ServiceMonitor included.
    await sleep(1500);
    proxy.reset();
    const reconciles = async () => {
      const c = operator?.metrics.getSingleMetric('pms_operator_reconcile_total') as Counter;
      return (await c.get()).values.reduce((n, v) => n + v.value, 0);
    };
    const before = await reconciles();
    await sleep(4000);
    // Children come from the informer caches, the ServiceMonitor's included: once discovery
    // found the kind served the operator watches it, so no reconcile lists it.
    const n = (await reconciles()) - before;
    assert.ok(n >= 3, `reconciles ${n}, reads ${proxy.reads}`);
    assert.deepEqual(proxy.writes, []);
    const smRequests = proxy.requests.filter((r) => r.includes('/servicemonitors'));
    assert.deepEqual(
      smRequests.filter((r) => !/[?&]watch=true/.test(r)),
      [],
      'no LIST or GET of ServiceMonitors in the steady state',
    );
    assert.ok(
      [...(operator?.informers().values() ?? [])].some((i) => i.kind.plural === 'servicemonitors'),
      'an informer watches ServiceMonitors',
    );
  });

  it('re-creates a deleted ServiceMonitor', async () => {
    const before = await get(smPath('mon-backend'));
    const res = await rawRequest(admin, 'DELETE', smPath('mon-backend'));
    assert.ok(res.status < 300, JSON.stringify(res.body));
    const again = await eventually('ServiceMonitor re-created', async () => {
      const sm = await get(smPath('mon-backend'));
      return sm && sm.metadata?.uid !== before?.metadata?.uid ? sm : undefined;
    });
    assert.equal(again.metadata?.ownerReferences?.[0]?.uid, uid);
  });

  it('prunes the ServiceMonitor when monitoring is disabled', async () => {
    await client.patch(
      {
        apiVersion: 'pms.io/v1alpha1',
        kind: 'PmsInstance',
        metadata: { name: 'mon', namespace: ns },
        spec: { monitoring: { enabled: false } },
      },
      undefined,
      undefined,
      'pms-test',
      undefined,
      PatchStrategy.MergePatch,
    );
    await eventually(
      'ServiceMonitor pruned',
      async () => (await get(smPath('mon-backend'))) === undefined,
    );
    const o = await waitReady('mon');
    assert.equal(o.metadata?.uid, uid);
    const deploy = await get(`/apis/apps/v1/namespaces/${ns}/deployments/mon-backend`);
    const annotations = deploy?.spec?.template.metadata.annotations as Record<string, string>;
    assert.equal(annotations['prometheus.io/scrape'], undefined);
  });
});

// spec.gateway on the real API server: without the Gateway API CRDs the instance says so
// (RouteReady=False GatewayAPINotInstalled, not Ready) and still runs; once the CRDs of
// sigs.k8s.io/gateway-api (from the Go module cache) are installed, an HTTPRoute the API server
// validates against its own schema is applied and the instance is Ready; the NetworkPolicies
// admit the Gateway's namespace; switching back to the Ingress prunes the route.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeReconciler } from '../src/controller/reconcile.ts';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { installGatewayApi, uninstallHttpRoutes } from './support/gateway-api.ts';
import { condition, InstanceHarness } from './support/instance-harness.ts';
import { eventually, rawRequest } from './support/pms.ts';

const h = new InstanceHarness();
// Discovery is cached 60 s by default; the test installs the CRDs mid-way.
const controller = { ...pmsInstanceController, reconcile: makeReconciler({ discoveryTtlMs: 500 }) };
const gatewaySpec = {
  ingress: { enabled: false },
  gateway: { parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'http' }] },
};

type Peer = { namespaceSelector?: Record<string, unknown> };
async function frontendPeers(): Promise<Peer[]> {
  // Raw JSON: the typed client names `from` `_from`.
  const res = await rawRequest(
    h.admin,
    'GET',
    `/apis/networking.k8s.io/v1/namespaces/${h.ns}/networkpolicies/edge-frontend`,
  );
  return (res.body as { spec: { ingress: { from: Peer[] }[] } }).spec.ingress[0]?.from ?? [];
}
const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe('PmsInstance spec.gateway (HTTPRoute)', () => {
  before(async () => {
    await uninstallHttpRoutes(h.admin);
    await h.start('gw', ['edge'], [controller]);
    await h.create('edge', gatewaySpec);
  });
  after(() => h.stop());

  it('says clearly that the Gateway API is missing, and runs everything else', async () => {
    const o = await h.waitInstance(
      'edge',
      'RouteReady False',
      (x) => condition(x, 'RouteReady')?.reason === 'GatewayAPINotInstalled',
    );
    assert.equal(condition(o, 'RouteReady')?.status, 'False');
    assert.match(condition(o, 'RouteReady')?.message ?? '', /Gateway API CRDs/);
    assert.equal(condition(o, 'Ready')?.status, 'False');
    await h.waitInstance(
      'edge',
      'only the route missing',
      (x) => condition(x, 'Ready')?.message === 'not ready: HTTPRoute',
    );
    assert.equal(await h.read('networking.k8s.io/v1', 'Ingress', 'edge-ingress'), undefined);
    assert.deepEqual(plain((await frontendPeers())[0]), {
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['gateway-system'] },
        ],
      },
    });
  });

  it('applies the HTTPRoute once the Gateway API CRDs are installed, then is Ready', async () => {
    await installGatewayApi(h.admin);
    const route = await eventually('HTTPRoute', () =>
      h.read('gateway.networking.k8s.io/v1', 'HTTPRoute', 'edge-route'),
    );
    const spec = plain(route.spec) as {
      parentRefs: Record<string, unknown>[];
      hostnames: string[];
      rules: { backendRefs: { name: string; port: number }[] }[];
    };
    // The API server defaulted group/kind: the route passed the Gateway API's own schema.
    assert.equal(spec.parentRefs[0]?.kind, 'Gateway');
    assert.equal(spec.parentRefs[0]?.namespace, 'gateway-system');
    assert.deepEqual(spec.hostnames, ['edge.example.com']);
    assert.deepEqual(
      spec.rules.map((r) => r.backendRefs.map((b) => `${b.name}:${b.port}`)),
      [['edge-backend:4000'], ['edge-frontend:3000']],
    );
    assert.equal(route.metadata?.ownerReferences?.[0]?.kind, 'PmsInstance');
    const o = await h.waitReady('edge');
    assert.equal(condition(o, 'RouteReady')?.status, 'True');
  });

  it('goes back to the Ingress: the route is pruned, the controller namespace let in', async () => {
    await h.patchSpec('edge', { gateway: null, ingress: { enabled: true } });
    await eventually('Ingress', () => h.read('networking.k8s.io/v1', 'Ingress', 'edge-ingress'));
    await eventually(
      'HTTPRoute pruned',
      async () =>
        (await h.read('gateway.networking.k8s.io/v1', 'HTTPRoute', 'edge-route')) === undefined,
    );
    await eventually('NetworkPolicy back to the ingress controller', async () => {
      const peer = plain((await frontendPeers())[0]);
      return (
        JSON.stringify(peer) ===
        JSON.stringify({
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } },
        })
      );
    });
    const o = await h.waitReady('edge');
    assert.equal(condition(o, 'RouteReady'), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChildren, type Child } from './index.ts';
import { makeInstance } from './test-fixtures.ts';

const gateway = {
  ingress: { enabled: false },
  gateway: {
    parentRefs: [
      { name: 'public', namespace: 'gateway-system', sectionName: 'https' },
      { name: 'internal' },
    ],
  },
};
const served = { serviceMonitors: false, httpRoutes: true };
const of = (cs: Child[], kind: string, name: string) =>
  cs.find((c) => c.kind === kind && c.metadata.name === name) as
    (Child & { spec: Record<string, unknown> }) | undefined;

describe('HTTPRoute (spec.gateway)', () => {
  it('routes /api to the backend and / to the frontend through the parentRefs', () => {
    const cs = renderChildren(makeInstance(gateway), served);
    const route = of(cs, 'HTTPRoute', 'acme-route');
    assert.equal(route?.apiVersion, 'gateway.networking.k8s.io/v1');
    assert.deepEqual(route?.spec, {
      parentRefs: [
        { name: 'public', namespace: 'gateway-system', sectionName: 'https' },
        { name: 'internal' },
      ],
      hostnames: ['acme.pms.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
          backendRefs: [{ name: 'acme-backend', port: 4000 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ name: 'acme-frontend', port: 3000 }],
        },
      ],
    });
    assert.equal(cs.filter((c) => c.kind === 'Ingress').length, 0);
    const hosts = makeInstance({
      ...gateway,
      gateway: { ...gateway.gateway, hostnames: ['*.a.io'] },
    });
    assert.deepEqual(
      (
        of(renderChildren(hosts, served), 'HTTPRoute', 'acme-route')?.spec as {
          hostnames: string[];
        }
      ).hostnames,
      ['*.a.io'],
    );
  });

  it('is not rendered where the cluster does not serve HTTPRoutes', () => {
    const cs = renderChildren(makeInstance(gateway), { serviceMonitors: false });
    assert.equal(cs.filter((c) => c.kind === 'HTTPRoute' || c.kind === 'Ingress').length, 0);
  });

  it("lets the Gateways' namespaces reach frontend and backend instead of the ingress controller", () => {
    const from = (spec: Record<string, unknown>, policy: string) => {
      const np = of(renderChildren(makeInstance(spec), served), 'NetworkPolicy', policy);
      return (np?.spec as { ingress: { from: unknown[] }[] }).ingress[0]?.from[0];
    };
    const gatewayNamespaces = {
      namespaceSelector: {
        matchExpressions: [
          {
            key: 'kubernetes.io/metadata.name',
            operator: 'In',
            values: ['gateway-system', 'tenant-a'],
          },
        ],
      },
    };
    assert.deepEqual(from(gateway, 'acme-frontend'), gatewayNamespaces);
    assert.deepEqual(from(gateway, 'acme-backend'), gatewayNamespaces);
    const sel = { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } };
    assert.deepEqual(
      from(
        { ...gateway, gateway: { ...gateway.gateway, namespaceSelector: sel } },
        'acme-frontend',
      ),
      { namespaceSelector: sel },
    );
    assert.deepEqual(from({}, 'acme-frontend'), {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } },
    });
  });
});

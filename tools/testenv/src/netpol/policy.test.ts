import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isolations, policyTypes, type Allow, type Cluster } from './policy.ts';
import type { ContainerPort, Labels, NetworkPolicy, Pod } from './types.ts';

function pod(
  ns: string,
  name: string,
  labels: Labels,
  ip: string | undefined,
  opts: { ports?: ContainerPort[]; phase?: string; hostNetwork?: boolean; node?: string } = {},
): Pod {
  return {
    metadata: { namespace: ns, name, labels },
    spec: {
      nodeName: opts.node ?? 'real',
      hostNetwork: opts.hostNetwork,
      containers: [{ ports: opts.ports }],
    },
    status: { phase: opts.phase ?? 'Running', podIP: ip },
  };
}
const np = (ns: string, name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({
  metadata: { namespace: ns, name },
  spec,
});

// Namespaces a (team=blue), b (team=red), c (no labels); pods with .1x in a, .2x in b, .3x in c.
const base: Cluster = {
  namespaces: [
    { metadata: { name: 'a', labels: { team: 'blue' } } },
    { metadata: { name: 'b', labels: { team: 'red' } } },
    { metadata: { name: 'c' } },
  ],
  pods: [
    pod('a', 'web', { app: 'web' }, '10.244.0.10', {
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      ],
    }),
    pod('a', 'client', { app: 'client', role: 'x' }, '10.244.0.11'),
    pod('b', 'web', { app: 'web' }, '10.244.0.20', {
      ports: [{ name: 'http', containerPort: 9090 }],
    }),
    pod('b', 'client', { app: 'client' }, '10.244.0.21'),
    pod('c', 'other', {}, '10.244.0.30'),
  ],
  policies: [],
};
const withPolicies = (...policies: NetworkPolicy[]): Cluster => ({ ...base, policies });
/** pod → allows, for one direction. */
function view(c: Cluster, direction: 'ingress' | 'egress', nodeName?: string) {
  return Object.fromEntries(
    isolations(c, nodeName)
      .filter((i) => i.direction === direction)
      .map((i) => [i.pod, i.allows]),
  ) as Record<string, Allow[]>;
}

describe('isolation', () => {
  it('isolates nobody without policies', () => {
    assert.deepEqual(isolations(base), []);
  });

  it('default-deny ingress isolates every pod of its namespace and nothing else', () => {
    const c = withPolicies(np('a', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }));
    assert.deepEqual(view(c, 'ingress'), { 'a/client': [], 'a/web': [] });
    assert.deepEqual(view(c, 'egress'), {});
  });

  it('defaults policyTypes like the API server', () => {
    assert.deepEqual(policyTypes(np('a', 'p', { podSelector: {} })), ['ingress']);
    assert.deepEqual(policyTypes(np('a', 'p', { podSelector: {}, egress: [{}] })), [
      'ingress',
      'egress',
    ]);
    assert.deepEqual(policyTypes(np('a', 'p', { podSelector: {}, policyTypes: ['Egress'] })), [
      'egress',
    ]);
    const c = withPolicies(np('a', 'egress-only', { podSelector: {}, policyTypes: ['Egress'] }));
    assert.deepEqual(view(c, 'ingress'), {}, 'an Egress-only policy leaves ingress open');
    assert.deepEqual(Object.keys(view(c, 'egress')), ['a/client', 'a/web']);
  });

  it('selects pods with matchLabels and matchExpressions', () => {
    const c = withPolicies(
      np('a', 'p', {
        podSelector: {
          matchLabels: { app: 'client' },
          matchExpressions: [{ key: 'role', operator: 'In', values: ['x', 'y'] }],
        },
        policyTypes: ['Ingress'],
      }),
      np('b', 'q', {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
        policyTypes: ['Ingress'],
      }),
    );
    assert.deepEqual(Object.keys(view(c, 'ingress')), ['a/client', 'b/client']);
  });

  it('ignores host-network, finished and address-less pods as targets and peers', () => {
    const c: Cluster = {
      ...base,
      pods: [
        ...base.pods,
        pod('a', 'host', {}, '10.250.0.2', { hostNetwork: true }),
        pod('a', 'done', {}, '10.244.0.12', { phase: 'Succeeded' }),
        pod('a', 'failed', {}, '10.244.0.13', { phase: 'Failed' }),
        pod('a', 'pending', {}, undefined, { phase: 'Pending' }),
      ],
      policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
    };
    const v = view(c, 'ingress');
    assert.deepEqual(Object.keys(v), ['a/client', 'a/web']);
    assert.deepEqual(v['a/web'], [{ peer: '10.244.0.11/32' }, { peer: '10.244.0.10/32' }]);
  });

  it('limits the targets to one node when asked, peers stay cluster-wide', () => {
    const c: Cluster = {
      ...base,
      pods: [
        ...base.pods,
        pod('a', 'elsewhere', { app: 'client' }, '10.0.1.5', { node: 'kwok-0' }),
      ],
      policies: [
        np('a', 'p', {
          podSelector: {},
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
        }),
      ],
    };
    const v = view(c, 'ingress', 'real');
    assert.deepEqual(Object.keys(v), ['a/client', 'a/web']);
    assert.deepEqual(v['a/web'], [{ peer: '10.244.0.11/32' }, { peer: '10.0.1.5/32' }]);
  });
});

describe('peers', () => {
  const ingressFrom = (peers: NonNullable<NetworkPolicy['spec']['ingress']>[number]['from']) =>
    view(
      withPolicies(
        np('a', 'p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: peers }] }),
      ),
      'ingress',
    )['a/web'];

  it('a podSelector alone means pods of the policy namespace', () => {
    assert.deepEqual(ingressFrom([{ podSelector: { matchLabels: { app: 'client' } } }]), [
      { peer: '10.244.0.11/32' },
    ]);
  });

  it('a namespaceSelector alone means every pod of the matching namespaces', () => {
    assert.deepEqual(ingressFrom([{ namespaceSelector: { matchLabels: { team: 'red' } } }]), [
      { peer: '10.244.0.21/32' },
      { peer: '10.244.0.20/32' },
    ]);
    assert.deepEqual(
      ingressFrom([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'c' } } }]),
      [{ peer: '10.244.0.30/32' }],
      'the automatic name label matches',
    );
    assert.equal(ingressFrom([{ namespaceSelector: {} }])?.length, 5, 'all namespaces');
  });

  it('namespaceSelector and podSelector in one peer need both', () => {
    assert.deepEqual(
      ingressFrom([
        {
          namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
          podSelector: { matchLabels: { app: 'client' } },
        },
      ]),
      [{ peer: '10.244.0.11/32' }, { peer: '10.244.0.21/32' }],
    );
  });

  it('ipBlock is its cidr minus the except blocks; IPv6 blocks are skipped', () => {
    assert.deepEqual(
      ingressFrom([
        { ipBlock: { cidr: '10.244.0.0/24', except: ['10.244.0.0/25'] } },
        { ipBlock: { cidr: '::/0' } },
      ]),
      [{ peer: '10.244.0.128/25' }],
    );
  });

  it('an empty rule allows everything; an empty from allows every source on its ports', () => {
    const c = withPolicies(
      np('a', 'p', { podSelector: {}, ingress: [{}] }),
      np('a', 'q', {
        podSelector: {},
        egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
        policyTypes: ['Egress'],
      }),
    );
    assert.deepEqual(view(c, 'ingress')['a/web'], [{}]);
    assert.deepEqual(view(c, 'egress')['a/web'], [{ proto: 'udp', ports: '53' }]);
  });

  it('several policies add up, without duplicates', () => {
    const c = withPolicies(
      np('a', 'p1', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      }),
      np('a', 'p2', {
        podSelector: {},
        ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }] }],
      }),
      np('a', 'p3', {
        podSelector: {},
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      }),
    );
    assert.deepEqual(view(c, 'ingress')['a/web'], [
      { peer: '10.244.0.11/32' },
      { peer: '10.244.0.11/32', proto: 'tcp', ports: '80' },
      { peer: '10.244.0.10/32', proto: 'tcp', ports: '80' },
    ]);
  });
});

describe('ports', () => {
  const ingressPorts = (ports: NonNullable<NetworkPolicy['spec']['ingress']>[number]['ports']) =>
    view(withPolicies(np('a', 'p', { podSelector: {}, ingress: [{ ports }] })), 'ingress');

  it('numbers, ranges and protocols (TCP when absent)', () => {
    assert.deepEqual(
      ingressPorts([
        { port: 80 },
        { port: 8000, endPort: 8080, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
        { port: 9, protocol: 'SCTP' },
        { protocol: 'UDP' },
        { port: '443' },
      ])['a/web'],
      [
        { proto: 'tcp', ports: '80' },
        { proto: 'tcp', ports: '8000:8080' },
        { proto: 'udp', ports: '53' },
        { proto: 'sctp', ports: '9' },
        { proto: 'udp' },
        { proto: 'tcp', ports: '443' },
      ],
    );
  });

  it('an ingress named port is the selected pod own containerPort of that name and protocol', () => {
    const c = view(
      withPolicies(
        np('a', 'p', {
          podSelector: {},
          ingress: [
            { ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }, { port: 'dns' }] },
          ],
        }),
      ),
      'ingress',
    );
    assert.deepEqual(c['a/web'], [
      { proto: 'tcp', ports: '8080' },
      { proto: 'udp', ports: '5353' },
    ]);
    assert.deepEqual(c['a/client'], [], 'no such port: the rule allows nothing there');
  });

  it('an egress named port is the destination pod port, looked up per peer pod', () => {
    const c = withPolicies(
      np('c', 'p', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }],
            ports: [{ port: 'http' }, { port: 7 }],
          },
          { to: [{ ipBlock: { cidr: '10.244.0.16/28' } }], ports: [{ port: 'http' }] },
        ],
      }),
    );
    assert.deepEqual(view(c, 'egress')['c/other'], [
      { peer: '10.244.0.10/32', proto: 'tcp', ports: '7' },
      { peer: '10.244.0.10/32', proto: 'tcp', ports: '8080' },
      { peer: '10.244.0.20/32', proto: 'tcp', ports: '7' },
      { peer: '10.244.0.20/32', proto: 'tcp', ports: '9090' },
    ]);
  });
});

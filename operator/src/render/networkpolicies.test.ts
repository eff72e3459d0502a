import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PRIVATE_IPV4_RANGES,
  renderNetworkPolicies,
  s3EndpointPorts,
  webhookEgress,
  type ExternalStorePorts,
} from './networkpolicies.ts';
import { makeInstance } from './test-fixtures.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const policyOf = (
  spec: Record<string, unknown>,
  policy: string,
  stores: ExternalStorePorts = {},
): Json => {
  const p = renderNetworkPolicies(makeInstance(spec), stores).find(
    (c) => c.metadata.name === `acme-${policy}`,
  ) as Json | undefined;
  assert.ok(p, policy);
  return p;
};
/** The egress rules of a policy, without the webhook rules (tested on their own below). */
const egressOf = (
  spec: Record<string, unknown>,
  policy: string,
  stores: ExternalStorePorts = {},
): Json[] => {
  const hooks = new Set(
    webhookEgress(makeInstance(spec).spec.webhooks).map((r) => JSON.stringify(r)),
  );
  return ((policyOf(spec, policy, stores).spec.egress ?? []) as Json[]).filter(
    (r) => !hooks.has(JSON.stringify(r)),
  );
};
/** The rule of an external endpoint: any IPv4 address but link-local, on these TCP ports. */
const externalRule = (...p: number[]) => ({
  to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }],
  ports: p.map((port) => ({ protocol: 'TCP', port })),
});
const podsRule = (component: string, port: number) => ({
  to: [
    {
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'pms',
          'app.kubernetes.io/instance': 'acme',
          'app.kubernetes.io/component': component,
        },
      },
    },
  ],
  ports: [{ protocol: 'TCP', port }],
});
const externalStores = {
  mongodb: { external: { uriSecretRef: { name: 'db', key: 'uri' } } },
  redis: { external: { urlSecretRef: { name: 'cache', key: 'url' } } },
};
const external = (rules: Json[]) =>
  rules.filter((r) => r.to?.some((t: Json) => t.ipBlock?.cidr === '0.0.0.0/0'));
const ports = (rule: Json | undefined) =>
  (rule?.ports as Json[]).map((p) => `${p.protocol}/${p.port}`);

const destination = (endpoint: string) => ({
  backup: {
    enabled: true,
    destination: { endpoint, bucket: 'backups', credentialsSecretRef: { name: 'offsite' } },
  },
});
const externalStorage = (endpoint: string) => ({
  objectStorage: {
    external: { endpoint, bucket: 'files', credentialsSecretRef: { name: 's3' } },
  },
});

describe('renderNetworkPolicies: external S3 egress', () => {
  it('in-cluster storage only: backup pods reach MongoDB and MinIO pods, nothing outside', () => {
    const rules = egressOf({ backup: { enabled: true } }, 'backup');
    assert.equal(external(rules).length, 0);
    assert.equal(rules.length, 2);
  });

  it('lets backup pods reach an external backup destination on 443 and its port, not link-local', () => {
    const rules = egressOf(destination('https://s3.backup.example.com:9443'), 'backup');
    const [rule, ...more] = external(rules);
    assert.equal(more.length, 0);
    assert.deepEqual(ports(rule), ['TCP/443', 'TCP/9443']);
    assert.deepEqual(rule?.to, [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }]);
    // In-cluster MongoDB and MinIO are still reachable.
    assert.equal(rules.length, 3);
    // Only backups go there: backend and worker are not widened.
    assert.equal(
      external(egressOf(destination('https://s3.backup.example.com'), 'backend')).length,
      0,
    );
    assert.equal(
      external(egressOf(destination('https://s3.backup.example.com'), 'worker')).length,
      0,
    );
  });

  it('lets backup, backend and worker pods reach external object storage on its ports', () => {
    for (const policy of ['backup', 'backend', 'worker']) {
      const [rule, ...more] = external(egressOf(externalStorage('http://minio.corp:9000'), policy));
      assert.equal(more.length, 0, policy);
      assert.deepEqual(ports(rule), ['TCP/443', 'TCP/9000'], policy);
    }
    // No in-cluster MinIO policy or rule when storage is external.
    const names = renderNetworkPolicies(
      makeInstance(externalStorage('https://s3.example.com')),
    ).map((c) => c.metadata.name);
    assert.ok(!names.includes('acme-minio'));
  });

  it('keeps DNS egress for every pod of the instance', () => {
    const dns = renderNetworkPolicies(makeInstance(destination('https://s3.example.com'))).find(
      (c) => c.metadata.name === 'acme-allow-dns',
    ) as Json;
    assert.deepEqual(dns.spec.podSelector.matchLabels, {
      'app.kubernetes.io/name': 'pms',
      'app.kubernetes.io/instance': 'acme',
    });
    assert.deepEqual(ports(dns.spec.egress[0]), ['UDP/53', 'TCP/53']);
  });

  it('reads the endpoint port from the URL, the scheme default otherwise', () => {
    assert.deepEqual(s3EndpointPorts('https://s3.amazonaws.com'), [443]);
    assert.deepEqual(s3EndpointPorts('http://minio.local'), [443, 80]);
    assert.deepEqual(s3EndpointPorts('http://10.1.2.3:9000'), [443, 9000]);
    assert.deepEqual(s3EndpointPorts('s3.example.com:8443'), [443, 8443]);
    assert.deepEqual(s3EndpointPorts('s3.example.com'), [443]);
  });

  it('renders nothing when NetworkPolicies are disabled', () => {
    assert.deepEqual(
      renderNetworkPolicies(
        makeInstance({ networkPolicy: { enabled: false }, ...destination('https://x') }),
      ),
      [],
    );
  });
});

describe('renderNetworkPolicies: external MongoDB and Redis', () => {
  it('opens egress only to the ports read from their Secrets, never to link-local', () => {
    const stores = { mongodb: [27017, 27018], redis: [6380] };
    for (const policy of ['backend', 'worker'])
      assert.deepEqual(
        egressOf(externalStores, policy, stores),
        [externalRule(27017, 27018), externalRule(6380), podsRule('minio', 9000)],
        policy,
      );
    // Backups reach MongoDB (not Redis) and the object storage.
    assert.deepEqual(egressOf(externalStores, 'backup', stores), [
      externalRule(27017, 27018),
      podsRule('minio', 9000),
    ]);
    // No in-cluster MongoDB or Redis policy.
    const names = renderNetworkPolicies(makeInstance(externalStores), stores).map(
      (c) => c.metadata.name,
    );
    assert.ok(!names.includes('acme-mongodb') && !names.includes('acme-redis'));
  });

  it('opens nothing to a store whose ports are not known (Secret missing or unparseable)', () => {
    assert.deepEqual(egressOf(externalStores, 'backend', { redis: [6379] }), [
      externalRule(6379),
      podsRule('minio', 9000),
    ]);
    assert.deepEqual(egressOf(externalStores, 'backend', {}), [podsRule('minio', 9000)]);
    assert.deepEqual(egressOf(externalStores, 'backup', {}), [podsRule('minio', 9000)]);
  });

  it('ignores ports given for stores that are in-cluster or disabled', () => {
    const rules = egressOf({}, 'backend', { mongodb: [1], redis: [2] });
    assert.deepEqual(rules, [
      podsRule('mongodb', 27017),
      podsRule('redis', 6379),
      podsRule('minio', 9000),
    ]);
    const noRedis = egressOf(
      { redis: { enabled: false, external: externalStores.redis.external } },
      'backend',
      { redis: [2] },
    );
    assert.deepEqual(noRedis, [podsRule('mongodb', 27017), podsRule('minio', 9000)]);
  });

  it('opens SMTP on its port only, never to link-local', () => {
    const smtp = { smtp: { host: 'mail.example.com', port: 465, from: 'pms@example.com' } };
    assert.deepEqual(egressOf(smtp, 'backend').at(-1), externalRule(465));
    assert.deepEqual(egressOf(smtp, 'worker').at(-1), externalRule(465));
    assert.equal(external(egressOf(smtp, 'backup')).length, 0);
  });

  it('no "any address" rule of any policy lacks the link-local exception', () => {
    const spec = {
      ...externalStores,
      ...externalStorage('https://s3.example.com'),
      ...destination('https://backup.example.com:9000'),
      smtp: { host: 'mail.example.com', from: 'pms@example.com' },
    };
    for (const webhooks of [{}, { allowPrivateTargets: true }]) {
      const all = renderNetworkPolicies(makeInstance({ ...spec, webhooks }), {
        mongodb: [27017],
        redis: [6379],
      });
      let checked = 0;
      for (const p of all as Json[])
        for (const rule of (p.spec.egress ?? []) as Json[])
          for (const to of (rule.to ?? []) as Json[])
            if (to.ipBlock) {
              checked++;
              assert.equal(to.ipBlock.cidr, '0.0.0.0/0');
              assert.ok(to.ipBlock.except.includes('169.254.0.0/16'), JSON.stringify(to));
              assert.ok((rule.ports as Json[]).length > 0, 'an ipBlock rule always names ports');
            }
      // backend and worker: MongoDB, Redis, S3, SMTP, webhooks; backup: MongoDB, S3, the
      // backup destination.
      assert.equal(checked, 13);
    }
  });
});

describe('renderNetworkPolicies: webhook targets', () => {
  const hookRules = (spec: Record<string, unknown>, policy: string) =>
    ((policyOf(spec, policy).spec.egress ?? []) as Json[]).filter((r) =>
      webhookEgress(makeInstance(spec).spec.webhooks).some(
        (h) => JSON.stringify(h) === JSON.stringify(r),
      ),
    );
  const web = (p: number[]) => p.map((port) => ({ protocol: 'TCP', port }));

  it('backend and worker reach public addresses on 443 and 80 by default; backup does not', () => {
    const expected = [
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_IPV4_RANGES } }],
        ports: web([443, 80]),
      },
    ];
    assert.deepEqual(hookRules({}, 'backend'), expected);
    assert.deepEqual(hookRules({}, 'worker'), expected);
    assert.deepEqual(hookRules({}, 'backup'), []);
    for (const range of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8'])
      assert.ok(PRIVATE_IPV4_RANGES.includes(range), range);
  });

  it('private targets and allowed ranges are opened only when the spec says so', () => {
    const open = { webhooks: { ports: [8443], allowPrivateTargets: true } };
    assert.deepEqual(hookRules(open, 'worker'), [
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }], ports: web([8443]) },
    ]);
    const ranges = { webhooks: { allowedCIDRs: ['10.20.0.0/16', '10.30.0.7', 'fd00::/8'] } };
    assert.deepEqual(hookRules(ranges, 'backend')[1], {
      to: [
        { ipBlock: { cidr: '10.20.0.0/16' } },
        { ipBlock: { cidr: '10.30.0.7/32' } },
        { ipBlock: { cidr: 'fd00::/8' } },
      ],
      ports: web([443, 80]),
    });
  });

  it('an empty port list opens nothing for webhooks', () => {
    assert.deepEqual(webhookEgress(makeInstance({ webhooks: { ports: [] } }).spec.webhooks), []);
    const rules = (policyOf({ webhooks: { ports: [] } }, 'worker').spec.egress ?? []) as Json[];
    assert.equal(external(rules).length, 0);
  });
});

describe('renderNetworkPolicies: who may reach the backend', () => {
  const ingressOf = (spec: Record<string, unknown>) =>
    policyOf(spec, 'backend').spec.ingress as Json[];
  const fromIngressAndFrontend = {
    from: [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } },
      {
        podSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'pms',
            'app.kubernetes.io/instance': 'acme',
            'app.kubernetes.io/component': 'frontend',
          },
        },
      },
    ],
    ports: [{ protocol: 'TCP', port: 4000 }],
  };

  it('without monitoring: the ingress controller and the frontend, on the API port only', () => {
    assert.deepEqual(ingressOf({}), [fromIngressAndFrontend]);
  });

  it('with monitoring: the monitoring namespace, on the metrics port only', () => {
    assert.deepEqual(ingressOf({ monitoring: { enabled: true } }), [
      fromIngressAndFrontend,
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ],
        ports: [{ protocol: 'TCP', port: 9464 }],
      },
    ]);
    const selector = {
      matchExpressions: [{ key: 'team', operator: 'In', values: ['observability'] }],
    };
    assert.deepEqual(
      ingressOf({ monitoring: { enabled: true, namespaceSelector: selector } })[1]?.from,
      [{ namespaceSelector: selector }],
    );
  });
});

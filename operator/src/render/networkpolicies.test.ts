import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderNetworkPolicies, s3EndpointPorts } from './networkpolicies.ts';
import { makeInstance } from './test-fixtures.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const egressOf = (spec: Record<string, unknown>, policy: string): Json[] => {
  const p = renderNetworkPolicies(makeInstance(spec)).find(
    (c) => c.metadata.name === `acme-${policy}`,
  ) as Json | undefined;
  assert.ok(p, policy);
  return (p.spec.egress ?? []) as Json[];
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

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const c = loadConfig({});
    assert.equal(c.WATCH_NAMESPACE, '');
    assert.equal(c.METRICS_PORT, 8080);
    assert.equal(c.LEADER_ELECTION, true);
    assert.equal(c.LEASE_NAME, 'pms-operator');
    assert.equal(c.RESYNC_PERIOD, 600_000);
    assert.equal(c.LOG_LEVEL, 'info');
    assert.equal(c.KUBE_API_QPS, 50);
    assert.equal(c.KUBE_API_BURST, 100);
  });

  it('parses the request rate limit', () => {
    const c = loadConfig({ KUBE_API_QPS: '20', KUBE_API_BURST: '30' });
    assert.equal(c.KUBE_API_QPS, 20);
    assert.equal(c.KUBE_API_BURST, 30);
    assert.equal(loadConfig({ KUBE_API_QPS: '-1' }).KUBE_API_QPS, -1);
    assert.throws(
      () => loadConfig({ KUBE_API_BURST: '0' }),
      /KUBE_API_BURST="0": must be at least 1/,
    );
    assert.throws(
      () => loadConfig({ KUBE_API_QPS: 'fast' }),
      /KUBE_API_QPS="fast": must be a number/,
    );
  });

  it('parses values', () => {
    const c = loadConfig({
      WATCH_NAMESPACE: 'tenant-a',
      METRICS_PORT: '9090',
      HEALTH_PORT: '8081',
      LOG_LEVEL: 'debug',
      LEADER_ELECTION: 'false',
      LEASE_NAMESPACE: 'ops',
      POD_NAME: 'pms-operator-abc',
      RESYNC_PERIOD: '30s',
    });
    assert.equal(c.WATCH_NAMESPACE, 'tenant-a');
    assert.equal(c.METRICS_PORT, 9090);
    assert.equal(c.HEALTH_PORT, 8081);
    assert.equal(c.LEADER_ELECTION, false);
    assert.equal(c.LEASE_NAMESPACE, 'ops');
    assert.equal(c.POD_NAME, 'pms-operator-abc');
    assert.equal(c.RESYNC_PERIOD, 30_000);
    assert.equal(loadConfig({ RESYNC_PERIOD: '10m' }).RESYNC_PERIOD, 600_000);
    assert.equal(loadConfig({ RESYNC_PERIOD: '1500' }).RESYNC_PERIOD, 1500);
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ METRICS_PORT: 'eighty' }, /METRICS_PORT="eighty": must be a number/],
    [{ METRICS_PORT: '70000' }, /METRICS_PORT="70000": must be between 0 and 65535/],
    [{ LEADER_ELECTION: 'maybe' }, /LEADER_ELECTION="maybe": must be one of true, false/],
    [
      { LOG_LEVEL: 'loud' },
      /LOG_LEVEL="loud": Invalid option: expected one of "debug"\|"info"\|"warn"\|"error"\|"silent"/,
    ],
    [
      { WATCH_NAMESPACE: 'Not_A_Namespace' },
      /WATCH_NAMESPACE="Not_A_Namespace": must be empty or a namespace name/,
    ],
    [{ RESYNC_PERIOD: 'often' }, /RESYNC_PERIOD="often": must be a duration/],
    [{ LEASE_NAME: 'UPPER' }, /LEASE_NAME="UPPER": must be a DNS-1123 name/],
  ];
  for (const [env, message] of bad) {
    it(`fails fast naming the variable: ${Object.keys(env).join(',')}`, () => {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it('names every bad variable at once', () => {
    assert.throws(
      () => loadConfig({ METRICS_PORT: 'x', LOG_LEVEL: 'y' }),
      /METRICS_PORT="x".*\n.*LOG_LEVEL="y"/,
    );
  });
});

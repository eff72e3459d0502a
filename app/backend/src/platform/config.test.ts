import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

const base = {
  MONGODB_URI: 'mongodb://localhost:27017',
  REDIS_URL: 'redis://localhost:6379',
  JWT_SECRET: 'x'.repeat(32),
  S3_ACCESS_KEY: 'a',
  S3_SECRET_KEY: 'b',
};

test('defaults follow the design', () => {
  const c = loadConfig(base);
  assert.equal(c.JWT_ACCESS_TTL, 900);
  assert.equal(c.JWT_REFRESH_TTL, 1209600);
  assert.equal(c.REFRESH_COOKIE_NAME, 'pm_refresh');
  assert.equal(c.RATE_LIMIT_WINDOW, 900000);
  // Reads per user per window; the design's 100 limited a normal session after 26 s (issue 14).
  assert.equal(c.RATE_LIMIT_MAX, 1000);
  assert.equal(c.RATE_LIMIT_WRITE_MAX, 300);
  assert.equal(c.RATE_LIMIT_AUTH_MAX, 200);
  assert.equal(c.CACHE_TTL, 3600);
  assert.equal(c.ENABLE_REGISTRATION, false);
  assert.equal(c.ENABLE_FILE_UPLOAD, true);
  assert.equal(c.MAINTENANCE_MODE, false);
  assert.equal(c.port, 4000);
  assert.deepEqual(c.CORS_ORIGINS, []);
});

test('booleans, lists, integers and BACKEND_PORT', () => {
  const c = loadConfig({
    ...base,
    ENABLE_REGISTRATION: 'true',
    HELMET_ENABLED: '0',
    CORS_ORIGINS: 'https://a.example, https://b.example',
    BCRYPT_ROUNDS: '10',
    BACKEND_PORT: '5000',
  });
  assert.equal(c.ENABLE_REGISTRATION, true);
  assert.equal(c.HELMET_ENABLED, false);
  assert.deepEqual(c.CORS_ORIGINS, ['https://a.example', 'https://b.example']);
  assert.equal(c.BCRYPT_ROUNDS, 10);
  assert.equal(c.port, 5000);
});

test('*_FILE variants win and have their newline trimmed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  writeFileSync(join(dir, 'jwt'), `${'s'.repeat(40)}\n`);
  writeFileSync(join(dir, 'admin'), 'admin-secret\n');
  const c = loadConfig({
    ...base,
    JWT_SECRET: undefined,
    JWT_SECRET_FILE: join(dir, 'jwt'),
    ADMIN_EMAIL: 'root@example.com',
    ADMIN_PASSWORD_FILE: join(dir, 'admin'),
  });
  assert.equal(c.JWT_SECRET, 's'.repeat(40));
  assert.equal(c.ADMIN_PASSWORD, 'admin-secret');
});

test('one clear line per bad variable', () => {
  try {
    loadConfig({
      ...base,
      MONGODB_URI: undefined,
      JWT_SECRET: 'short',
      BCRYPT_ROUNDS: '99',
      ENABLE_METRICS: 'maybe',
      REDIS_URL: 'not a url',
      JWT_SECRET_FILE: undefined,
      S3_SECRET_KEY_FILE: '/does/not/exist',
      ADMIN_EMAIL: 'root@example.com',
    });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const lines = err.problems;
    const find = (v: string) => lines.find((l) => l.startsWith(`${v}:`));
    assert.match(find('MONGODB_URI') ?? '', /required/);
    assert.match(find('JWT_SECRET') ?? '', /at least 32/);
    assert.match(find('BCRYPT_ROUNDS') ?? '', /between 4 and 15/);
    assert.ok(find('ENABLE_METRICS'));
    assert.match(find('REDIS_URL') ?? '', /valid URL/);
    assert.match(find('S3_SECRET_KEY_FILE') ?? '', /cannot read/);
    assert.match(find('ADMIN_PASSWORD') ?? '', /required when ADMIN_EMAIL/);
    for (const l of lines) assert.ok(!l.includes('\n'), 'one line each');
  }
});

const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('should throw');
};

test('ENABLE_TRACING=true fails with one line naming it (not supported in this version)', () => {
  const problems = problemsOf({ ...base, ENABLE_TRACING: 'true' });
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^ENABLE_TRACING: tracing is not supported in this version/);
  assert.equal(loadConfig({ ...base, ENABLE_TRACING: 'false' }).ENABLE_TRACING, false);
  assert.equal(loadConfig(base).ENABLE_TRACING, false);
});

test('METRICS_PORT: default 0 (metrics on the API port), must differ from the API port', () => {
  assert.equal(loadConfig(base).METRICS_PORT, 0);
  assert.equal(loadConfig({ ...base, METRICS_PORT: '9464' }).METRICS_PORT, 9464);
  const problems = problemsOf({ ...base, PORT: '4100', METRICS_PORT: '4100' });
  assert.deepEqual(problems, ['METRICS_PORT: must differ from the API port (4100)']);
});

test('CLUSTER_MODE: CLUSTER_WORKERS defaults to the available parallelism, min 1', () => {
  const c = loadConfig({ ...base, CLUSTER_MODE: 'true', METRICS_PORT: '9464' });
  assert.equal(c.CLUSTER_MODE, true);
  assert.equal(c.CLUSTER_WORKERS, Math.max(1, availableParallelism()));
  assert.equal(loadConfig({ ...base, CLUSTER_WORKERS: '3' }).CLUSTER_WORKERS, 3);
  assert.match(problemsOf({ ...base, CLUSTER_WORKERS: '0' })[0] ?? '', /^CLUSTER_WORKERS: /);
});

test('CLUSTER_MODE=true with metrics requires METRICS_PORT', () => {
  const problems = problemsOf({ ...base, CLUSTER_MODE: 'true' });
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^METRICS_PORT: is required when CLUSTER_MODE=true/);
  // Without metrics there is nothing to aggregate.
  const c = loadConfig({ ...base, CLUSTER_MODE: 'true', ENABLE_METRICS: 'false' });
  assert.equal(c.METRICS_PORT, 0);
});

test('MONGODB_URI: multi-host replica-set and mongodb+srv:// URIs are accepted as given', () => {
  for (const uri of [
    'mongodb://u:p@h1:27017,h2:27017,h3:27017/pms?replicaSet=rs0&authSource=admin',
    'mongodb+srv://u:p@cluster0.example.net/pms?retryWrites=true',
    'mongodb://[::1]:27017/pms',
  ]) {
    assert.equal(loadConfig({ ...base, MONGODB_URI: uri }).MONGODB_URI, uri);
  }
});

test('bad URIs with a password: the error says why and never shows the password', () => {
  const password = 'Sup3rS3cretPw';
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ MONGODB_URI: `mongodb://admin:${password}@h1:27017,h2:99999/pms` }, /MONGODB_URI: .*port/],
    [{ MONGODB_URI: `mongo://admin:${password}@h/pms` }, /MONGODB_URI: .*mongodb:\/\//],
    [{ REDIS_URL: `redis://:${password}@red is:6379` }, /REDIS_URL: is not a valid URL/],
    [{ S3_PUBLIC_ENDPOINT: `ftp://k:${password}@s3` }, /S3_PUBLIC_ENDPOINT/],
  ];
  for (const [vars, message] of cases) {
    assert.throws(
      () => loadConfig({ ...base, ...vars }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, message);
        assert.ok(!err.message.includes(password), err.message);
        assert.match(err.message, /:\/\/\*\*\*@/);
        return true;
      },
    );
  }
});

test('TRUST_PROXY is off by default; true, hop counts and address lists parse', () => {
  assert.equal(loadConfig(base).TRUST_PROXY, false);
  assert.equal(loadConfig({ ...base, TRUST_PROXY: 'false' }).TRUST_PROXY, false);
  assert.equal(loadConfig({ ...base, TRUST_PROXY: 'true' }).TRUST_PROXY, true);
  assert.equal(loadConfig({ ...base, TRUST_PROXY: '1' }).TRUST_PROXY, 1);
  assert.equal(
    loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, loopback' }).TRUST_PROXY,
    '10.0.0.0/8, loopback',
  );
});

test('MONGODB_DB: the URI names the database unless MONGODB_DB overrides it; else pms', () => {
  assert.equal(loadConfig(base).MONGODB_DB, 'pms');
  const tenant = { ...base, MONGODB_URI: 'mongodb://db.example:27017/tenant_a?tls=true' };
  // Two tenants on one server must not share a database because of a default.
  assert.equal(loadConfig(tenant).MONGODB_DB, 'tenant_a');
  assert.equal(loadConfig({ ...tenant, MONGODB_DB: 'other' }).MONGODB_DB, 'other');
  assert.equal(loadConfig({ ...tenant, MONGODB_DB: '' }).MONGODB_DB, 'tenant_a');
});

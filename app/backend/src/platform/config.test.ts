import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  assert.equal(c.RATE_LIMIT_MAX, 100);
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

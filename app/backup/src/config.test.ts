import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from './config.ts';
import { createLog, redact } from './log.ts';

const base = {
  INSTANCE: 'acme',
  MONGODB_URI: 'mongodb://pms:p%40ss-word@mongo:27017/pms?authSource=admin',
  S3_ENDPOINT: 'http://minio:9000',
  S3_ACCESS_KEY: 'att-access',
  S3_SECRET_KEY: 'att-secret-value',
  S3_BUCKET: 'attachments',
  BACKUP_S3_BUCKET: 'backups',
};

test('the destination falls back to the attachments store; the db comes from the URI', () => {
  const c = loadConfig(base);
  assert.equal(c.mongodbDb, 'pms');
  assert.equal(c.destination.endpoint, 'http://minio:9000');
  assert.equal(c.destination.secretKey, 'att-secret-value');
  assert.equal(c.destination.bucket, 'backups');
  assert.equal(c.destination.forcePathStyle, true);
  assert.equal(c.attachments?.bucket, 'attachments');
  assert.equal(c.keepLast, undefined);
  assert.ok(c.secrets.includes('att-secret-value'));
  assert.ok(c.secrets.includes('p@ss-word'));

  const ext = loadConfig({
    ...base,
    BACKUP_S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
    BACKUP_S3_REGION: 'eu-west-1',
    BACKUP_S3_ACCESS_KEY: 'ext-access',
    BACKUP_S3_SECRET_KEY: 'ext-secret',
    BACKUP_S3_USE_PATH_STYLE: 'false',
    KEEP_LAST: '7',
  });
  assert.deepEqual(
    { ...ext.destination },
    {
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      accessKey: 'ext-access',
      secretKey: 'ext-secret',
      bucket: 'backups',
      forcePathStyle: false,
    },
  );
  assert.equal(ext.keepLast, 7);
});

test('backups in the attachments bucket need a prefix', () => {
  assert.throws(() => loadConfig({ ...base, BACKUP_S3_BUCKET: 'attachments' }), /BACKUP_S3_PREFIX/);
  const c = loadConfig({ ...base, BACKUP_S3_BUCKET: 'attachments', BACKUP_S3_PREFIX: 'backups/' });
  assert.equal(c.sameBucket, true);
  assert.equal(c.base, 'backups/acme');
  assert.equal(loadConfig(base).base, 'acme');
  assert.throws(() => loadConfig({ ...base, BACKUP_S3_PREFIX: '/abs' }), /BACKUP_S3_PREFIX/);
  assert.throws(() => loadConfig({ ...base, BACKUP_S3_PREFIX: '../x/' }), /BACKUP_S3_PREFIX/);
});

test('secrets from *_FILE; both forms at once is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  try {
    writeFileSync(join(dir, 'k'), 'from-file-secret\n');
    const { S3_SECRET_KEY: _s, ...rest } = base;
    assert.equal(
      loadConfig({ ...rest, S3_SECRET_KEY_FILE: join(dir, 'k') }).attachments?.secretKey,
      'from-file-secret',
    );
    assert.throws(() => loadConfig({ ...base, S3_SECRET_KEY_FILE: join(dir, 'k') }), /not both/);
    assert.throws(
      () => loadConfig({ ...rest, S3_SECRET_KEY_FILE: join(dir, 'missing') }),
      /cannot read/,
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('invalid configuration names the variables, never the values', () => {
  assert.throws(
    () =>
      loadConfig({
        ...base,
        INSTANCE: 'Not_A_Name',
        MONGODB_URI: 'postgres://secret-uri',
        KEEP_LAST: '0',
      }),
    (e: Error) => {
      assert.match(e.message, /INSTANCE/);
      assert.match(e.message, /MONGODB_URI/);
      assert.match(e.message, /KEEP_LAST/);
      assert.doesNotMatch(e.message, /secret-uri|Not_A_Name/);
      return true;
    },
  );
  const { S3_ACCESS_KEY: _a, S3_SECRET_KEY: _b, S3_BUCKET: _c, ...noStore } = base;
  assert.throws(() => loadConfig(noStore), /BACKUP_S3_ACCESS_KEY/);
});

test('logs redact known secrets and URI credentials', () => {
  const lines: string[] = [];
  const log = createLog('info', ['att-secret-value'], (l) => lines.push(l));
  log.debug('hidden');
  log.error('failed', { detail: 'key att-secret-value at mongodb://u:pw@h/x' });
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0] ?? '', /att-secret-value|:pw@/);
  assert.equal(redact('https://a:b@host/x', []), 'https://***:***@host/x');
});

test('multi-host and mongodb+srv URIs: their password is redacted from every log line', () => {
  for (const uri of [
    'mongodb://pms:Multi%2FHost-pw@m-0.m:27017,m-1.m:27017,m-2.m:27017/pms?replicaSet=rs0',
    'mongodb+srv://pms:Multi%2FHost-pw@cluster0.example.net/pms',
  ]) {
    const c = loadConfig({ ...base, MONGODB_URI: uri });
    assert.equal(c.mongodbDb, 'pms');
    assert.ok(c.secrets.includes('Multi/Host-pw'), uri);
    const lines: string[] = [];
    const log = createLog('info', c.secrets, (l) => lines.push(l));
    log.error('mongo failed', { uri, detail: 'auth failed for password Multi/Host-pw' });
    assert.ok(!lines.join('').includes('Multi'), lines.join(''));
  }
});

test('a bad MONGODB_URI with a password: the error names the variable, not the value', () => {
  assert.throws(
    () => loadConfig({ ...base, MONGODB_URI: 'mongo://pms:VisiblePw@h/pms' }),
    (err: unknown) =>
      err instanceof Error &&
      /MONGODB_URI: must be a mongodb/.test(err.message) &&
      !err.message.includes('VisiblePw'),
  );
});

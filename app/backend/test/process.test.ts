// The real entry point as a child process: bad configuration fails with one line per
// variable; a configured process serves, then drains and exits 0 on SIGTERM.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import mongoose from 'mongoose';
import { DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { testConfigEnv } from './helpers.ts';
import { freePort, run } from './process-helpers.ts';

test('bad configuration: exit 1 with one line per bad variable', async () => {
  const p = run({ JWT_SECRET: 'short', BCRYPT_ROUNDS: '2' });
  const [code] = await once(p.child, 'exit');
  assert.equal(code, 1);
  const lines = p.err().trim().split('\n');
  assert.equal(lines[0], 'Invalid configuration:');
  for (const v of [
    'MONGODB_URI',
    'REDIS_URL',
    'JWT_SECRET',
    'BCRYPT_ROUNDS',
    'S3_ACCESS_KEY',
    'S3_SECRET_KEY',
  ])
    assert.ok(
      lines.some((l) => l.trim().startsWith(`${v}:`)),
      `${v} reported`,
    );
});

test('serves, then drains and exits 0 on SIGTERM', async () => {
  const port = await freePort();
  const env = testConfigEnv('proc', { PORT: String(port), LOG_LEVEL: 'info' });
  const p = run(env);
  try {
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ok, `server came up: ${p.err()}`);
    // A request in flight when SIGTERM arrives still completes.
    const inflight = fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status);
    await new Promise((r) => setTimeout(r, 5));
    p.child.kill('SIGTERM');
    const [code] = await once(p.child, 'exit');
    assert.equal(code, 0);
    assert.equal(await inflight, 200);
    assert.match(p.out(), /shutting down/);
    assert.match(p.out(), /"msg":"stopped"/);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    const conn = await mongoose
      .createConnection(env.MONGODB_URI ?? '', { dbName: env.MONGODB_DB })
      .asPromise();
    await conn.dropDatabase();
    await conn.close();
    const s3 = new S3Client({
      region: env.S3_REGION ?? '',
      endpoint: env.S3_ENDPOINT ?? '',
      forcePathStyle: true,
      credentials: {
        accessKeyId: env.S3_ACCESS_KEY ?? '',
        secretAccessKey: env.S3_SECRET_KEY ?? '',
      },
    });
    await s3.send(new DeleteBucketCommand({ Bucket: env.S3_BUCKET })).catch(() => undefined);
    s3.destroy();
  }
});

test('a bad or unreachable MONGODB_URI with a password: the password is never printed', async () => {
  const password = 'NeverPrintMe42';
  const bad = run({
    ...testConfigEnv('redact'),
    MONGODB_URI: `mongodb://pms:${password}@h1:27017,h2:70000/pms?replicaSet=rs0`,
  });
  const [badCode] = await once(bad.child, 'exit');
  assert.equal(badCode, 1);
  assert.match(bad.err(), /MONGODB_URI: .*port.*mongodb:\/\/\*\*\*@h1:27017/);
  assert.ok(!(bad.out() + bad.err()).includes(password), bad.err());

  // Valid multi-host syntax, nothing listening: start-up fails after server selection.
  const [p1, p2] = [await freePort(), await freePort()];
  const unreachable = run({
    ...testConfigEnv('redact', { LOG_LEVEL: 'info' }),
    MONGODB_URI: `mongodb://pms:${password}@127.0.0.1:${p1},127.0.0.1:${p2}/pms?replicaSet=rs0&serverSelectionTimeoutMS=500`,
  });
  const [code] = await once(unreachable.child, 'exit');
  assert.equal(code, 1);
  assert.match(unreachable.out(), /start-up failed/);
  assert.ok(!(unreachable.out() + unreachable.err()).includes(password), unreachable.out());
});

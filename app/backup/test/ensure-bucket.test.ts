// `pms-backup ensure-bucket` as the operator's MinIO bucket Job runs it, against the real MinIO
// of the test environment: creates a missing bucket once, waits for an endpoint that comes up
// late, gives up within its bound when nothing answers, and fails at once on bad credentials.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createBucket, env, envFor, removeBucket, s3, uniq, type Fixture } from './helpers.ts';

const cli = new URL('../src/cli.ts', import.meta.url).pathname;

function run(
  args: string[],
  vars: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '', ...vars },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - start }));
  });
}

/** A free local port (listened on and closed: nothing answers there afterwards). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() =>
        typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A TCP relay to MinIO on `port`: MinIO "starting late". */
function relay(port: number): Promise<Server> {
  const target = new URL(env.s3.endpoint);
  const sockets = new Set<Socket>();
  const srv = createServer((c) => {
    const up = connect(Number(target.port), target.hostname);
    for (const s of [c, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    c.pipe(up).pipe(c);
  });
  srv.on('close', () => sockets.forEach((s) => s.destroy()));
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

const exists = (bucket: string) =>
  s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    () => false,
  );

let f: Fixture;
const made: string[] = [];
before(async () => {
  // Only the backup bucket exists: ensure-bucket is about the attachments bucket (S3_BUCKET).
  f = {
    instance: uniq('ensure'),
    db: uniq('ensure').replace(/-/g, '_'),
    attachmentsBucket: uniq('ensure-att'),
    backupBucket: uniq('ensure-bak'),
  };
  await createBucket(f.backupBucket);
  made.push(f.backupBucket);
});
after(async () => {
  for (const b of made) await removeBucket(b);
});

test('creates the missing attachments bucket, then finds it', async () => {
  made.push(f.attachmentsBucket);
  assert.equal(await exists(f.attachmentsBucket), false);
  const first = await run(['ensure-bucket'], envFor(f));
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), {
    bucket: f.attachmentsBucket,
    created: true,
    attempts: 1,
  });
  assert.equal(await exists(f.attachmentsBucket), true);
  const again = await run(['ensure-bucket'], envFor(f));
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { created: boolean }).created, false);
});

test('waits for an endpoint that starts answering later', async () => {
  const bucket = uniq('ensure-late');
  made.push(bucket);
  const port = await freePort();
  let srv: Server | undefined;
  const late = setTimeout(() => void relay(port).then((s) => (srv = s)), 1500);
  try {
    const r = await run(
      ['ensure-bucket', '--wait', '30'],
      envFor(f, { S3_BUCKET: bucket, S3_ENDPOINT: `http://127.0.0.1:${port}`, TIMEOUT_MS: '500' }),
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { created: boolean; attempts: number };
    assert.equal(out.created, true);
    assert.ok(out.attempts > 1, `retried (${r.stdout})`);
    assert.match(r.stderr, /object storage not ready, retrying/);
    assert.equal(await exists(bucket), true);
  } finally {
    clearTimeout(late);
    srv?.close();
  }
});

test('gives up within its bound when nothing answers', async () => {
  const port = await freePort();
  const r = await run(
    ['ensure-bucket', '--wait', '2'],
    envFor(f, { S3_ENDPOINT: `http://127.0.0.1:${port}`, TIMEOUT_MS: '500' }),
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /did not answer within 2 s/);
  assert.ok(r.ms < 15_000, `bounded (${r.ms} ms)`);
});

test('fails at once on wrong credentials, naming no secret', async () => {
  const secret = 'not-the-secret-key-123';
  const r = await run(['ensure-bucket', '--wait', '60'], envFor(f, { S3_SECRET_KEY: secret }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /HTTP 403/);
  assert.ok(r.ms < 20_000, `no waiting on a permanent error (${r.ms} ms)`);
  assert.doesNotMatch(r.stderr + r.stdout, new RegExp(secret));
});

test('SIGTERM ends a waiting run at once with 143, recorded in RESULT_FILE', async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pms-backup-sigterm-'));
  try {
    const resultFile = join(dir, 'result.json');
    const child = spawn(process.execPath, [cli, 'ensure-bucket', '--wait', '60'], {
      env: {
        PATH: process.env.PATH ?? '',
        ...envFor(f, { S3_ENDPOINT: `http://127.0.0.1:${port}`, RESULT_FILE: resultFile }),
      },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // Signalled once it is retrying (the state a deleted Job finds it in).
    while (!/retrying/.test(stderr)) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    assert.equal(await exited, 143);
    assert.match(readFileSync(resultFile, 'utf8'), /interrupted by SIGTERM/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('needs S3_BUCKET', async () => {
  const { S3_BUCKET: _unused, ...vars } = envFor(f);
  const r = await run(['ensure-bucket'], vars);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ensure-bucket needs S3_BUCKET/);
});

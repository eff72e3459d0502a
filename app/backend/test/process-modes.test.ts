// The real entry point in its process modes: METRICS_PORT (metrics on their own listener, not the
// API port), CLUSTER_MODE (forked workers, aggregated metrics, restart of a killed worker, giving up
// after repeated crashes) and the fail-fast of ENABLE_TRACING.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import mongoose from 'mongoose';
import { DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { testConfigEnv } from './helpers.ts';
import { freePort, run } from './process-helpers.ts';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const healthy = (port: number) =>
  waitFor(`/health on ${port}`, async () =>
    (await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined,
  );

async function cleanup(env: Record<string, string>) {
  const conn = await mongoose
    .createConnection(env.MONGODB_URI ?? '', { dbName: env.MONGODB_DB })
    .asPromise();
  await conn.dropDatabase();
  await conn.close();
  const s3 = new S3Client({
    region: env.S3_REGION ?? '',
    endpoint: env.S3_ENDPOINT ?? '',
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY ?? '', secretAccessKey: env.S3_SECRET_KEY ?? '' },
  });
  await s3.send(new DeleteBucketCommand({ Bucket: env.S3_BUCKET })).catch(() => undefined);
  s3.destroy();
}

test('ENABLE_TRACING=true fails at start-up with one line naming it', async () => {
  const env = testConfigEnv('trace', { ENABLE_TRACING: 'true' });
  const p = run(env);
  const [code] = await once(p.child, 'exit');
  assert.equal(code, 1);
  assert.deepEqual(p.err().trim().split('\n'), [
    'Invalid configuration:',
    '  ENABLE_TRACING: tracing is not supported in this version (no tracer is built in); unset it or set it to false',
  ]);
});

test('CLUSTER_MODE=true with metrics and no METRICS_PORT fails at start-up', async () => {
  const p = run(testConfigEnv('nometrics', { CLUSTER_MODE: 'true' }));
  const [code] = await once(p.child, 'exit');
  assert.equal(code, 1);
  assert.match(p.err(), /^ {2}METRICS_PORT: is required when CLUSTER_MODE=true/m);
});

test('METRICS_PORT: /metrics on its own port, 404 on the API port; SIGTERM exits 0', async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const env = testConfigEnv('mport', {
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'info',
  });
  const p = run(env);
  try {
    await healthy(port);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const body = await res.text();
    assert.match(body, /# TYPE http_request_duration_seconds histogram/);
    assert.match(body, /http_request_duration_seconds_count\{[^}]*route="\/health"/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status, 404);
    p.child.kill('SIGTERM');
    const [code] = await once(p.child, 'exit');
    assert.equal(code, 0);
    assert.match(p.out(), /"msg":"stopped"/);
    // Both listeners are closed.
    await assert.rejects(fetch(`http://127.0.0.1:${metricsPort}/metrics`));
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await cleanup(env);
  }
});

test('CLUSTER_MODE: workers serve, aggregated metrics, a killed worker is replaced, SIGTERM exits 0', async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const env = testConfigEnv('cluster', {
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    CLUSTER_MODE: 'true',
    CLUSTER_WORKERS: '2',
    LOG_LEVEL: 'info',
  });
  const p = run(env);
  const listening = () =>
    p
      .logs()
      .filter((l) => l.msg === 'worker listening')
      .map((l) => l.workerPid as number);
  try {
    const first = await waitFor('2 workers listening', async () => {
      const pids = listening();
      return pids.length >= 2 ? pids : undefined;
    });
    assert.equal(new Set(first).size, 2);
    assert.ok(!first.includes(p.child.pid ?? -1), 'workers are not the primary');
    await healthy(port);
    // Enough requests that both workers have served some (the primary round-robins).
    for (let i = 0; i < 20; i++) assert.ok((await fetch(`http://127.0.0.1:${port}/health`)).ok);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200, p.out());
    const body = await res.text();
    assert.match(body, /# TYPE http_request_duration_seconds histogram/);
    // Summed over the workers: at least the 21 /health requests above.
    const count = /http_request_duration_seconds_count\{[^}]*route="\/health"[^}]*\} (\d+)/.exec(
      body,
    );
    assert.ok(count, body);
    assert.ok(Number(count[1]) >= 21, `aggregated count ${count[1]}`);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404);

    const victim = first[0] ?? 0;
    process.kill(victim, 'SIGKILL');
    const replacement = await waitFor('a replacement worker', async () =>
      listening().find((pid) => !first.includes(pid)),
    );
    assert.notEqual(replacement, victim);
    assert.ok(
      p.logs().some((l) => l.msg === 'worker died unexpectedly' && l.workerPid === victim),
      'the death is logged',
    );
    await healthy(port);

    p.child.kill('SIGTERM');
    const [code] = await once(p.child, 'exit');
    assert.equal(code, 0, p.out() + p.err());
    assert.match(p.out(), /"msg":"cluster stopped"/);
    // Every live worker drained and stopped.
    assert.equal(p.logs().filter((l) => l.msg === 'stopped').length, 2);
    for (const pid of [first[1] ?? 0, replacement])
      assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} is gone`);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await cleanup(env);
  }
});

test('CLUSTER_MODE: repeated worker crashes → the primary gives up with exit 1', async () => {
  // The API port is taken, so every worker fails right after connecting its dependencies.
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, () => r()));
  const port = (blocker.address() as { port: number }).port;
  const env = testConfigEnv('crash', {
    PORT: String(port),
    METRICS_PORT: String(await freePort()),
    CLUSTER_MODE: 'true',
    CLUSTER_WORKERS: '2',
    LOG_LEVEL: 'info',
  });
  const p = run(env);
  try {
    const [code] = await once(p.child, 'exit');
    assert.equal(code, 1);
    assert.match(p.out(), /"msg":"giving up: 5 worker crashes within 60s"/);
    assert.equal(p.logs().filter((l) => l.msg === 'worker died unexpectedly').length, 5);
    assert.equal(p.logs().filter((l) => l.msg === 'worker listening').length, 0);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    blocker.close();
    await cleanup(env);
  }
});

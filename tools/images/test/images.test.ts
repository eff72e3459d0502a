// Every image really runs: built with buildah from this repository's Dockerfiles (through the
// layer cache, so a warm run takes seconds), saved as an OCI archive, and started with runc the
// way a pod starts it (ENTRYPOINT/CMD, USER, read-only root, node or the server as PID 1).
// Needs root, buildah, mmdebstrap and runc (scripts/setup.sh installs them); no services.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { before, describe, it } from 'node:test';
import { MongoClient } from 'mongodb';
import { buildAllImages, type BuiltImage } from '../src/build.ts';
import { runImage, runToEnd } from '../src/run-image.ts';

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

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describe('the images', () => {
  const tags: Record<string, string> = {};
  let built: BuiltImage[] = [];

  before(() => {
    assert.equal(process.getuid?.(), 0, 'building images needs root (buildah, mmdebstrap, runc)');
    built = buildAllImages({ version: '0.1.0', log: () => undefined });
    for (const b of built) tags[b.name] = b.tag;
  });

  it('are all built, with their canonical tags, as OCI archives', () => {
    assert.deepEqual(
      built.map((b) => b.tag),
      [
        'ghcr.io/pms/pms-operator:0.1.0',
        'ghcr.io/pms/pms-backend:0.1.0',
        'ghcr.io/pms/pms-frontend:0.1.0',
        'ghcr.io/pms/pms-backup:0.1.0',
        'localhost/pms/redis:0.1.0',
        'localhost/pms/minio:0.1.0',
        'localhost/pms/ferretdb:0.1.0',
      ],
    );
    for (const b of built) assert.ok(existsSync(b.archive), b.archive);
  });

  it('operator: says that no cluster is configured when it has no kubeconfig', async () => {
    const r = await runToEnd(tags.operator ?? '');
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /no Kubernetes cluster configured/);
  });

  it('operator: names its missing service-account token in a pod without one', async () => {
    const r = await runToEnd(tags.operator ?? '', {
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
    });
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /serviceaccount\/token is missing/);
  });

  it('operator: rejects a bad setting by its variable name', async () => {
    const r = await runToEnd(tags.operator ?? '', { env: { METRICS_PORT: 'eighty' } });
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /METRICS_PORT/);
  });

  for (const [what, args] of [
    ['API', undefined],
    ['worker', ['node', 'dist/worker.js']],
  ] as const) {
    it(`backend ${what}: fails fast naming a missing variable`, async () => {
      const r = await runToEnd(tags.backend ?? '', args ? { args: [...args] } : {}, 30_000);
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /MONGODB_URI/, r.output);
    });
  }

  it('frontend: serves its health route on its port, as PID 1 stops on SIGTERM', async () => {
    const port = await freePort();
    const c = runImage(tags.frontend ?? '', {
      env: { PORT: String(port), HOSTNAME: '127.0.0.1', BACKEND_URL: 'http://127.0.0.1:9' },
      tmpfs: ['/app/.next/cache'],
    });
    try {
      const status = await waitFor(`frontend on :${port} (${c.output()})`, async () => {
        const r = await fetch(`http://127.0.0.1:${port}/api/health`);
        return r.status;
      });
      assert.equal(status, 200);
      const page = await fetch(`http://127.0.0.1:${port}/login`);
      assert.ok(page.status < 500, `GET /login ${page.status}`);
      const t = Date.now();
      c.kill('SIGTERM');
      const code = await c.exited;
      assert.ok(Date.now() - t < 10_000, 'stopped on SIGTERM, not by a kill after a grace period');
      assert.notEqual(code, null);
    } finally {
      c.remove();
    }
  });

  it('backup: prints its usage by default', async () => {
    const r = await runToEnd(tags.backup ?? '');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /usage: pms-backup .*ensure-bucket/);
  });

  it('backup: ensure-bucket waits for the endpoint and exits 143 on SIGTERM as PID 1', async () => {
    const port = await freePort();
    const c = runImage(tags.backup ?? '', {
      args: ['ensure-bucket', '--wait', '120'],
      env: {
        INSTANCE: 'demo',
        MONGODB_URI: 'mongodb://127.0.0.1:9/pms',
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_ACCESS_KEY: 'access',
        S3_SECRET_KEY: 'secret-key',
        S3_BUCKET: 'demo-attachments',
        BACKUP_S3_BUCKET: 'demo-attachments',
        BACKUP_S3_PREFIX: 'backups/',
        TIMEOUT_MS: '500',
      },
    });
    try {
      await waitFor('a retry', async () => (/retrying/.test(c.output()) ? true : undefined));
      c.kill('SIGTERM');
      assert.equal(await c.exited, 143, c.output());
    } finally {
      c.remove();
    }
  });

  it('redis: the operator command serves with a password; redis-cli answers', async () => {
    const v = await runToEnd(tags.redis ?? '', { command: ['redis-server', '--version'] });
    assert.match(v.output, /Redis server v=7\./);
    const port = await freePort();
    const env = { REDIS_PASSWORD: 'pw-for-test' };
    // The operator's command (operator/src/render/datastore-pods.ts), on a free port.
    const server = runImage(tags.redis ?? '', {
      command: [
        'sh',
        '-c',
        `exec redis-server --requirepass "$REDIS_PASSWORD" --dir /data --appendonly no --port ${port}`,
      ],
      env,
      tmpfs: ['/data'],
    });
    try {
      const pong = await waitFor('redis PONG', async () => {
        const r = await runToEnd(tags.redis ?? '', {
          command: [
            'sh',
            '-c',
            `redis-cli -p ${port} -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG && echo ok`,
          ],
          env,
        });
        return r.code === 0 ? r.output : undefined;
      });
      assert.match(pong, /ok/);
    } finally {
      server.kill('SIGTERM');
      await server.exited;
      server.remove();
    }
  });

  it('minio: prints its version and serves S3 on the operator arguments', async () => {
    const v = await runToEnd(tags.minio ?? '', { args: ['--version'] });
    assert.equal(v.code, 0, v.output);
    assert.match(v.output, /minio version/i);
    const port = await freePort();
    const c = runImage(tags.minio ?? '', {
      args: ['server', '/data', '--address', `127.0.0.1:${port}`],
      env: { MINIO_ROOT_USER: 'test-admin', MINIO_ROOT_PASSWORD: 'test-secret-123' },
      tmpfs: ['/data'],
    });
    try {
      const status = await waitFor(`minio on :${port}`, async () => {
        const r = await fetch(`http://127.0.0.1:${port}/minio/health/ready`);
        return r.status === 200 ? r.status : undefined;
      });
      assert.equal(status, 200);
    } finally {
      c.kill('SIGTERM');
      await c.exited;
      c.remove();
    }
  });

  it('ferretdb: answers the MongoDB wire protocol with SQLite in /data', async () => {
    const port = await freePort();
    const c = runImage(tags.ferretdb ?? '', {
      args: [`--listen-addr=127.0.0.1:${port}`, '--sqlite-url=file:/data/'],
      tmpfs: ['/data'],
    });
    const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, {
      serverSelectionTimeoutMS: 20_000,
    });
    try {
      await client.connect();
      const db = client.db('smoke');
      await db.collection('t').insertOne({ a: 1 });
      assert.equal((await db.collection('t').findOne({}))?.a, 1);
    } finally {
      await client.close();
      c.kill('SIGTERM');
      await c.exited;
      c.remove();
    }
  });
});

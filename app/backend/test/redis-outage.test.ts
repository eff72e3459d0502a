// Redis stops and comes back while the API runs: /ready goes ready → degraded → ready, the API
// keeps answering, and no stale cached read survives a write made during the outage. Redis is
// the real one, reached through a TCP proxy this test can cut.
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { testEnv } from '@pms/testenv';
import { ADMIN, Client, dbCommands, startHarness, userClient, type Harness } from './helpers.ts';

const real = new URL(testEnv('redis').redisUrl);
let proxy: Server | null = null;
const sockets = new Set<Socket>();
let port = 0;

async function startProxy(): Promise<void> {
  const srv = createServer((client) => {
    const upstream = connect(Number(real.port), real.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve());
  });
  port = (srv.address() as { port: number }).port;
  proxy = srv;
}

async function stopProxy(): Promise<void> {
  const srv = proxy;
  proxy = null;
  // Stop accepting first, then cut the open connections (ioredis reconnects at once).
  const closed = srv ? new Promise<void>((r) => srv.close(() => r())) : Promise.resolve();
  for (const s of sockets) s.destroy();
  await closed;
}

async function until(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

let h: Harness;
before(async () => {
  await startProxy();
  const url = new URL(real.href);
  url.port = String(port);
  h = await startHarness('outage', { REDIS_URL: url.href });
});
after(async () => {
  if (!proxy) await startProxy(); // let the harness clean up its Redis keys
  await h.close();
  await stopProxy();
});

test(
  '/ready follows Redis; cached reads never go stale across the outage',
  { timeout: 90_000 },
  async () => {
    const c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
    const ready = async () => (await c.get('/ready')).body.status as string;
    assert.equal(await ready(), 'ready');
    await c.post('/api/v1/projects', { key: 'OUT', name: 'Outage' });
    const t = (await c.post('/api/v1/projects/OUT/tasks', { title: 'survivor' })).body;
    const states = (await c.get('/api/v1/projects/OUT/states')).body.items;
    const columnOf = async () => {
      const b = await c.get('/api/v1/projects/OUT/board');
      assert.equal(b.status, 200);
      return b.body.columns.findIndex((col: { tasks: { id: string }[] }) =>
        col.tasks.some((x) => x.id === t.id),
      );
    };
    assert.equal(await columnOf(), 0); // now cached
    // A member whose access is cached too (a board read sends no MongoDB command).
    const m = await userClient(h, c, 'Mia');
    const mBoard = () => m.client.get('/api/v1/projects/OUT/board');
    assert.equal(
      (await c.post('/api/v1/projects/OUT/members', { userId: m.id, role: 'viewer' })).status,
      201,
    );
    assert.equal((await mBoard()).status, 200);
    assert.equal(
      (await dbCommands(async () => assert.equal((await mBoard()).status, 200))).length,
      0,
    );

    await stopProxy();
    await until('degraded', async () => (await ready()) === 'degraded');
    const r = await c.get('/ready');
    assert.equal(r.status, 200);
    assert.equal(r.body.checks.redis.status, 'down');

    // Writes during the outage work, and reads bypass the (now unreachable) cache.
    const moved = await c.post(`/api/v1/projects/OUT/tasks/${t.number}/move`, {
      stateId: states[2].id,
    });
    assert.equal(moved.status, 200);
    assert.equal(await columnOf(), 2);
    // Removed while the version bump cannot be written: access is checked in MongoDB meanwhile.
    assert.equal((await c.del(`/api/v1/projects/OUT/members/${m.id}`)).status, 204);
    assert.equal((await mBoard()).status, 404);

    await startProxy();
    await until('ready again', async () => (await ready()) === 'ready');
    // The entry cached before the outage must not come back.
    await until('fresh board', async () => (await columnOf()) === 2, 5000);
    for (let i = 0; i < 3; i++) assert.equal(await columnOf(), 2);
    // Nor the member's cached access.
    for (let i = 0; i < 3; i++) assert.equal((await mBoard()).status, 404);
  },
);

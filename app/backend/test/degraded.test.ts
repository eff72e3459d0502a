// With Redis unreachable the API keeps working (no cache, no rate limit, no queue) and /ready
// reports "degraded"; MongoDB and S3 still answer.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

before(async () => {
  h = await startHarness('degraded', {
    REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    LOGIN_RATE_LIMIT_MAX: '1',
  });
});
after(async () => {
  await h.close();
});

test('/ready is degraded (200) with Redis down and names the failing check', async () => {
  const r = await new Client(h.url).get('/ready');
  assert.equal(r.status, 200);
  const body = r.body;
  assert.equal(body.status, 'degraded');
  assert.equal(body.checks.redis.status, 'down');
  assert.equal(body.checks.mongodb.status, 'up');
  assert.equal(body.checks.s3.status, 'up');
});

test('the API works without Redis: login (limiter fails open), writes, board, notifications', async () => {
  const t0 = Date.now();
  const c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  await new Client(h.url).login(ADMIN.email, ADMIN.password); // would be 429 with Redis up
  assert.equal((await c.post('/api/v1/projects', { key: 'DEG', name: 'Degraded' })).status, 201);
  const other = await userClient(h, c, 'Otto');
  assert.equal(
    (await c.post('/api/v1/projects/DEG/members', { userId: other.id, role: 'member' })).status,
    201,
  );
  // Assigning someone queues an email: with Redis down that is skipped, not awaited forever.
  const t = await c.post('/api/v1/projects/DEG/tasks', {
    title: 'still works',
    assigneeIds: [other.id],
  });
  assert.equal(t.status, 201);
  const b = await c.get('/api/v1/projects/DEG/board');
  assert.equal(b.status, 200);
  assert.equal(b.body.columns[0].tasks[0].title, 'still works');
  assert.equal((await other.client.get('/api/v1/notifications')).body.unreadCount, 1);
  assert.ok(Date.now() - t0 < 8000, 'no request hangs on Redis');
});

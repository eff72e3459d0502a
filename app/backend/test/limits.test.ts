// Rate limits (429 + Retry-After, shared through Redis) and maintenance mode (503).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness('limits', {
    LOGIN_RATE_LIMIT_MAX: '3',
    RATE_LIMIT_MAX: '25',
    RATE_LIMIT_WINDOW: '60000',
  });
});
after(async () => {
  await h.close();
});

test('login is rate limited with 429 and Retry-After', async () => {
  const c = new Client(h.url);
  const statuses = [];
  for (let i = 0; i < 5; i++)
    statuses.push(
      (await c.post('/api/v1/auth/login', { email: ADMIN.email, password: 'wrong-password' }))
        .status,
    );
  assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  const r = await c.post('/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password });
  assert.equal(r.status, 429, 'even the right password waits for the window');
  assert.equal(r.body.error, 'rate_limited');
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
});

test('the API limit applies per user', async () => {
  // Start a fresh login window for this test (the previous one exhausted it).
  const keys = await h.deps.redis.keys(`${h.deps.config.REDIS_KEY_PREFIX}lt:*`);
  if (keys.length) await h.deps.redis.del(...keys);
  const c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  let first429 = -1;
  for (let i = 0; i < 30; i++) {
    const r = await c.get('/api/v1/auth/me');
    if (r.status === 429) {
      first429 = i;
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      break;
    }
    assert.equal(r.status, 200);
  }
  assert.ok(first429 >= 20 && first429 <= 25, `429 after ~25 requests (got ${first429})`);
  // Health endpoints are never limited.
  assert.equal((await fetch(`${h.url}/health`)).status, 200);
});

test('MAINTENANCE_MODE answers 503 except health, readiness and metrics', async () => {
  h.deps.config.MAINTENANCE_MODE = true;
  try {
    const r = await new Client(h.url).get('/api/v1/auth/config');
    assert.equal(r.status, 503);
    assert.equal(r.body.error, 'maintenance');
    assert.ok(r.headers.get('retry-after'));
    assert.equal((await fetch(`${h.url}/health`)).status, 200);
    assert.equal((await fetch(`${h.url}/ready`)).status, 200);
    assert.equal((await fetch(`${h.url}/metrics`)).status, 200);
  } finally {
    h.deps.config.MAINTENANCE_MODE = false;
  }
  assert.equal((await new Client(h.url).get('/api/v1/auth/config')).status, 200);
});

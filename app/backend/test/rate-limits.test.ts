// Rate limits under the PRODUCTION defaults: a realistic web-app session (measured request mix:
// a board load ~8 requests, an opened task ~6, an edit ~3, a comment ~3, polling one request per
// 30 s) is never limited, and a flood is. The limiter's clock is injected, so an hour of polling
// takes seconds and windows roll over as they would in real time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ZConfigSchema } from '../src/platform/config.ts';
import { ADMIN, Client, startHarness, userClient, type Harness, type Res } from './helpers.ts';

const LIMIT_VARS = [
  'RATE_LIMIT_WINDOW',
  'RATE_LIMIT_MAX',
  'RATE_LIMIT_WRITE_MAX',
  'RATE_LIMIT_AUTH_MAX',
  'LOGIN_RATE_LIMIT_MAX',
] as const;

let h: Harness;
let clock = Date.parse('2026-03-02T08:00:00Z');
before(async () => {
  // '' means "unset": every limit at its production default.
  h = await startHarness('ratelimits', Object.fromEntries(LIMIT_VARS.map((v) => [v, ''])));
  for (const v of LIMIT_VARS)
    assert.equal(h.deps.config[v], ZConfigSchema.shape[v].parse(undefined), `${v} is the default`);
  h.deps.clock = () => clock;
});
after(async () => {
  await h.close();
});

test('a realistic session under the production defaults is never limited', async () => {
  const root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await root.post('/api/v1/projects', { key: 'WEB', name: 'Web' })).status, 201);
  const P = '/api/v1/projects/WEB';
  const seeded: { id: string; number: number }[] = [];
  for (let i = 0; i < 30; i++)
    seeded.push((await root.post(`${P}/tasks`, { title: `t${i}` })).body);
  const task = (i: number) => seeded[i] ?? assert.fail(`no task ${i}`);
  const { client: u, id } = await userClient(h, root, 'Uma');
  assert.equal((await root.post(`${P}/members`, { userId: id, role: 'member' })).status, 201);

  const seen: Res[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await u.req(method, path, body);
    seen.push(r);
    assert.notEqual(r.status, 429, `${method} ${path} was limited after ${seen.length} requests`);
    assert.ok(r.status < 400, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  const pageLoad = async () => {
    await call('POST', '/api/v1/auth/refresh');
    await call('GET', '/api/v1/auth/me');
    await call('GET', '/api/v1/auth/config');
    await call('GET', '/api/v1/projects');
    await call('GET', P);
    await call('GET', `${P}/board`);
    await call('GET', `${P}/members`);
    await call('GET', `${P}/labels`);
    await call('GET', '/api/v1/notifications');
  };
  const openTask = async (n: number) => {
    await call('GET', `${P}/tasks/${n}`);
    await call('GET', `${P}/tasks/${n}/comments`);
    await call('GET', `${P}/tasks/${n}/attachments`);
    await call('GET', `${P}/tasks/${n}/activity`);
    await call('GET', `${P}/tasks?parent=${task(0).id}`);
    await call('GET', '/api/v1/users?q=a');
  };

  // All of this within a few minutes of (injected) time: one 15-minute window.
  await pageLoad();
  for (let i = 0; i < 10; i++) {
    await openTask(task(i).number);
    clock += 5_000;
  }
  for (let i = 0; i < 20; i++) {
    const n = task(i % 10).number;
    await call('PATCH', `${P}/tasks/${n}`, { title: `edited ${i}` });
    await call('GET', `${P}/tasks/${n}`);
    await call('GET', `${P}/board`);
    clock += 3_000;
  }
  for (let i = 0; i < 10; i++) {
    const n = task(i).number;
    await call('POST', `${P}/tasks/${n}/comments`, { body: `comment ${i}` });
    await call('GET', `${P}/tasks/${n}/comments`);
    await call('GET', `${P}/tasks/${n}/activity`);
  }
  // Five reloads (new tabs) in the same window.
  for (let i = 0; i < 5; i++) await pageLoad();
  // An hour idle on the board: the unread count every 30 s, a refresh every ~12 minutes.
  for (let s = 0; s < 3600; s += 30) {
    clock += 30_000;
    await call('GET', '/api/v1/notifications');
    if (s % 720 === 0) await call('POST', '/api/v1/auth/refresh');
  }
  const last = seen.at(-1);
  assert.ok(last && Number(last.headers.get('ratelimit-remaining')) > 0);
  assert.ok(seen.length > 300, `replayed ${seen.length} requests`);
});

test('a flood is limited, with RateLimit-* headers and Retry-After', async () => {
  const c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  clock += 15 * 60_000; // a fresh window
  const first = await c.get('/api/v1/auth/me');
  assert.equal(first.status, 200);
  const limit = Number(first.headers.get('ratelimit-limit'));
  assert.equal(limit, h.deps.config.RATE_LIMIT_MAX);
  assert.equal(first.headers.get('ratelimit-policy'), `${limit};w=900`);
  assert.equal(Number(first.headers.get('ratelimit-remaining')), limit - 1);
  const reset = Number(first.headers.get('ratelimit-reset'));
  assert.ok(reset >= 1 && reset <= 900, `RateLimit-Reset ${reset}`);

  let limited: Res | null = null;
  for (let i = 1; i <= limit + 5 && !limited; i++) {
    const r = await c.get('/api/v1/auth/me');
    if (r.status === 429) limited = r;
    else assert.equal(r.status, 200);
  }
  assert.ok(limited, 'the flood was limited');
  assert.equal(limited.body.error, 'rate_limited');
  assert.equal(limited.headers.get('ratelimit-remaining'), '0');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  // Writes have their own budget: the read flood does not block an edit.
  const w = await c.patch('/api/v1/auth/me', { name: 'Ada' });
  assert.equal(w.status, 200);
  assert.equal(Number(w.headers.get('ratelimit-limit')), h.deps.config.RATE_LIMIT_WRITE_MAX);

  // A credential flood from one IP hits the strict auth budget.
  let authLimited = false;
  for (let i = 0; i <= h.deps.config.RATE_LIMIT_AUTH_MAX && !authLimited; i++)
    authLimited = (await new Client(h.url).post('/api/v1/auth/refresh')).status === 429;
  assert.ok(authLimited, 'refresh flood limited');

  // The next window starts over.
  clock += 15 * 60_000;
  assert.equal((await c.get('/api/v1/auth/me')).status, 200);
});

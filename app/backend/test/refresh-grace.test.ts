// Refresh rotation that survives concurrent tabs: with the default grace window (10 s) a
// just-rotated refresh token presented again (another tab that read the same cookie) gets the
// same successor instead of revoking the login. Reuse after the window is in auth.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness('grace');
  assert.equal(h.deps.config.REFRESH_GRACE_SECONDS, 10);
});
after(async () => {
  await h.close();
});

test('two tabs refreshing together both stay signed in with one successor', async () => {
  const login = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  const cookie = login.cookies.get('pm_refresh') ?? '';
  const [tab1, tab2] = [new Client(h.url), new Client(h.url)];
  tab1.cookies.set('pm_refresh', cookie);
  tab2.cookies.set('pm_refresh', cookie);
  const [r1, r2] = await Promise.all([
    tab1.post('/api/v1/auth/refresh'),
    tab2.post('/api/v1/auth/refresh'),
  ]);
  assert.equal(r1.status, 200, JSON.stringify(r1.body));
  assert.equal(r2.status, 200, JSON.stringify(r2.body));
  const next = tab1.cookies.get('pm_refresh');
  assert.ok(next && next !== cookie);
  assert.equal(tab2.cookies.get('pm_refresh'), next, 'the same successor');
  for (const [tab, r] of [
    [tab1, r1],
    [tab2, r2],
  ] as const) {
    tab.token = r.body.accessToken;
    assert.equal((await tab.get('/api/v1/auth/me')).status, 200);
  }
  // A tab that lagged behind (sequential, a few seconds later) still gets the same successor.
  await new Promise((r) => setTimeout(r, 1500));
  const late = new Client(h.url);
  late.cookies.set('pm_refresh', cookie);
  const r3 = await late.post('/api/v1/auth/refresh');
  assert.equal(r3.status, 200);
  assert.equal(late.cookies.get('pm_refresh'), next);
  // The login goes on: the successor rotates normally.
  const r4 = await tab1.post('/api/v1/auth/refresh');
  assert.equal(r4.status, 200);
  assert.notEqual(tab1.cookies.get('pm_refresh'), next);
});

test('a revoked login gets nothing within the window', async () => {
  const login = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  const cookie = login.cookies.get('pm_refresh') ?? '';
  assert.equal((await login.post('/api/v1/auth/refresh')).status, 200);
  assert.equal((await login.post('/api/v1/auth/logout')).status, 204);
  const other = new Client(h.url);
  other.cookies.set('pm_refresh', cookie);
  assert.equal((await other.post('/api/v1/auth/refresh')).status, 401);
});

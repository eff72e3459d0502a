import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness('auth', {
    JWT_ACCESS_TTL: '2',
    ENABLE_REGISTRATION: 'true',
    // The Secure-cookie test plays the proxy in front of the API (X-Forwarded-Proto).
    TRUST_PROXY: 'loopback',
    // A short grace window, so replays after it can be tested (refresh-grace.test.ts: default).
    REFRESH_GRACE_SECONDS: '1',
  });
});
after(async () => {
  await h.close();
});

test('the first admin exists and can log in; wrong passwords are refused', async () => {
  const c = new Client(h.url);
  const bad = await c.post('/api/v1/auth/login', { email: ADMIN.email, password: 'nope-nope' });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error, 'invalid_credentials');
  const ok = await c.post('/api/v1/auth/login', {
    email: ADMIN.email.toUpperCase(),
    password: ADMIN.password,
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.user.role, 'admin');
  assert.equal(typeof ok.body.accessToken, 'string');
  assert.ok(c.cookies.get('pm_refresh'));
  const setCookie = ok.headers.getSetCookie().join(';');
  assert.match(setCookie, /HttpOnly/i);
  assert.match(setCookie, /Path=\/api\/v1\/auth/);
  c.token = ok.body.accessToken;
  const me = await c.get('/api/v1/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.email, ADMIN.email);
});

test('the refresh cookie is Secure exactly when the request came over HTTPS', async () => {
  // Behind an HTTP-only ingress a Secure cookie would be dropped by the browser (every reload
  // signs the user out); behind TLS it must be Secure. The test server trusts loopback proxies.
  const login = (headers: Record<string, string>) =>
    new Client(h.url).req(
      'POST',
      '/api/v1/auth/login',
      { email: ADMIN.email, password: ADMIN.password },
      headers,
    );
  const plain = await login({ 'x-forwarded-proto': 'http' });
  assert.equal(plain.status, 200);
  assert.doesNotMatch(plain.headers.getSetCookie().join(';'), /;\s*Secure/i);
  const tls = await login({ 'x-forwarded-proto': 'https' });
  assert.equal(tls.status, 200);
  assert.match(tls.headers.getSetCookie().join(';'), /;\s*Secure/i);
});

test('protected routes need credentials; garbage tokens are 401', async () => {
  const c = new Client(h.url);
  assert.equal((await c.get('/api/v1/auth/me')).status, 401);
  c.token = 'not-a-jwt';
  const r = await c.get('/api/v1/projects');
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'unauthorized');
});

test('refresh rotates; replaying a rotated token revokes the family', async () => {
  const c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  const first = c.cookies.get('pm_refresh');
  const r1 = await c.post('/api/v1/auth/refresh');
  assert.equal(r1.status, 200);
  const second = c.cookies.get('pm_refresh');
  assert.ok(second && second !== first);

  // An attacker replays the first (already rotated) token after the grace window.
  await new Promise((r) => setTimeout(r, 1200));
  const thief = new Client(h.url);
  thief.cookies.set('pm_refresh', first ?? '');
  const replay = await thief.post('/api/v1/auth/refresh');
  assert.equal(replay.status, 401);
  assert.equal(replay.body.error, 'token_reused');

  // The legitimate, newest token of that family is revoked too.
  const r2 = await c.post('/api/v1/auth/refresh');
  assert.equal(r2.status, 401);

  // Another login (another family) is unaffected.
  const other = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await other.post('/api/v1/auth/refresh')).status, 200);
});

test('access tokens expire (token_expired) and refresh gives a working one', async () => {
  const c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await c.get('/api/v1/auth/me')).status, 200);
  await new Promise((r) => setTimeout(r, 3100));
  const expired = await c.get('/api/v1/auth/me');
  assert.equal(expired.status, 401);
  assert.equal(expired.body.error, 'token_expired');
  const r = await c.post('/api/v1/auth/refresh');
  assert.equal(r.status, 200);
  c.token = r.body.accessToken;
  assert.equal((await c.get('/api/v1/auth/me')).status, 200);
});

test('logout revokes the refresh token', async () => {
  const c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  const token = c.cookies.get('pm_refresh') ?? '';
  assert.equal((await c.post('/api/v1/auth/logout')).status, 204);
  assert.equal(c.cookies.has('pm_refresh'), false);
  const again = new Client(h.url);
  again.cookies.set('pm_refresh', token);
  assert.equal((await again.post('/api/v1/auth/refresh')).status, 401);
});

test('registration, password change and API tokens', async () => {
  const c = new Client(h.url);
  const reg = await c.post('/api/v1/auth/register', {
    name: 'Reg User',
    email: 'reg@example.com',
    password: 'password-1',
  });
  assert.equal(reg.status, 201);
  assert.equal(reg.body.user.role, 'member');
  c.token = reg.body.accessToken;
  const dup = await new Client(h.url).post('/api/v1/auth/register', {
    name: 'X',
    email: 'REG@example.com',
    password: 'password-1',
  });
  assert.equal(dup.status, 409);

  const wrong = await c.post('/api/v1/auth/password', {
    currentPassword: 'wrong-one',
    newPassword: 'password-2',
  });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.details[0].path, 'body.currentPassword');
  assert.equal(
    (
      await c.post('/api/v1/auth/password', {
        currentPassword: 'password-1',
        newPassword: 'password-2',
      })
    ).status,
    204,
  );
  assert.equal(
    (await c.post('/api/v1/auth/refresh')).status,
    401,
    'sessions revoked after a password change',
  );
  assert.equal(
    (
      await new Client(h.url).post('/api/v1/auth/login', {
        email: 'reg@example.com',
        password: 'password-1',
      })
    ).status,
    401,
  );
  await c.login('reg@example.com', 'password-2');

  const created = await c.post('/api/v1/tokens', { name: 'ci' });
  assert.equal(created.status, 201);
  assert.match(created.body.token, /^pms_/);
  const api = new Client(h.url);
  api.token = created.body.token;
  const me = await api.get('/api/v1/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.email, 'reg@example.com');
  const list = await c.get('/api/v1/tokens');
  assert.equal(list.body.items.length, 1);
  assert.equal(
    JSON.stringify(list.body).includes(created.body.token),
    false,
    'secret never listed',
  );
  assert.equal((await c.del(`/api/v1/tokens/${created.body.apiToken.id}`)).status, 204);
  assert.equal((await api.get('/api/v1/auth/me')).status, 401);
});

test('concurrent refreshes of one token: one rotation, every caller gets the same successor', async () => {
  const c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  const token = c.cookies.get('pm_refresh') ?? '';
  const clients = [new Client(h.url), new Client(h.url), new Client(h.url)];
  for (const x of clients) x.cookies.set('pm_refresh', token);
  const results = await Promise.all(clients.map((x) => x.post('/api/v1/auth/refresh')));
  assert.deepEqual(
    results.map((r) => r.status),
    [200, 200, 200],
  );
  const successors = new Set(clients.map((x) => x.cookies.get('pm_refresh')));
  assert.equal(successors.size, 1, 'one successor');
  assert.notEqual([...successors][0], token);
});

test('registration answers 403 feature_disabled when ENABLE_REGISTRATION is off', async () => {
  h.deps.config.ENABLE_REGISTRATION = false;
  try {
    const r = await new Client(h.url).post('/api/v1/auth/register', {
      name: 'No',
      email: 'no@example.com',
      password: 'password-1',
    });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'feature_disabled');
    assert.equal(
      (await new Client(h.url).get('/api/v1/auth/config')).body.registrationEnabled,
      false,
    );
  } finally {
    h.deps.config.ENABLE_REGISTRATION = true;
  }
});

// Access checks see account changes at once: disable, role change, password change and logout
// end what an already issued access token grants on its next request (session version + family
// status, checked through the Redis cache). Production access-token lifetime (900 s): nothing
// here waits for a token to expire.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let root: Client;
before(async () => {
  h = await startHarness('sessions');
  root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
});
after(async () => {
  await h.close();
});

async function secondAdmin(name: string) {
  const email = `${name}@example.com`;
  const r = await root.post('/api/v1/users', {
    name,
    email,
    password: 'password-123',
    role: 'admin',
  });
  assert.equal(r.status, 201);
  const client = await new Client(h.url).login(email, 'password-123');
  return { client, id: r.body.id as string, email };
}

test('a disabled admin cannot create users or re-enable itself with its access token', async () => {
  const eve = await secondAdmin('eve');
  // Warm the session cache with the enabled state first.
  assert.equal((await eve.client.get('/api/v1/auth/me')).status, 200);
  const apiToken = await eve.client.post('/api/v1/tokens', { name: 'script' });
  assert.equal(apiToken.status, 201);

  assert.equal((await root.patch(`/api/v1/users/${eve.id}`, { disabled: true })).status, 200);

  const create = await eve.client.post('/api/v1/users', {
    name: 'Mallory',
    email: 'mallory@example.com',
    password: 'password-123',
    role: 'admin',
  });
  assert.ok([401, 403].includes(create.status), `create user: ${create.status}`);
  const reenable = await eve.client.patch(`/api/v1/users/${eve.id}`, { disabled: false });
  assert.ok([401, 403].includes(reenable.status), `re-enable: ${reenable.status}`);
  assert.equal((await eve.client.post('/api/v1/tokens', { name: 'x' })).status, 401);
  assert.equal((await eve.client.post('/api/v1/projects', { key: 'EVE', name: 'E' })).status, 401);

  // The API token and the refresh cookie stop working too.
  const script = new Client(h.url);
  script.token = apiToken.body.token;
  assert.equal((await script.get('/api/v1/auth/me')).status, 401);
  assert.equal((await eve.client.post('/api/v1/auth/refresh')).status, 401);
  assert.equal((await root.get('/api/v1/users?q=mallory')).body.items.length, 0);

  // Re-enabled by a real admin: the old login stays revoked (disable revoked every family), a new
  // login works.
  assert.equal((await root.patch(`/api/v1/users/${eve.id}`, { disabled: false })).status, 200);
  const stale = new Client(h.url);
  stale.cookies = new Map(eve.client.cookies);
  assert.equal((await stale.post('/api/v1/auth/refresh')).status, 401);
  const again = await new Client(h.url).login(eve.email, 'password-123');
  assert.equal((await again.get('/api/v1/auth/me')).status, 200);
});

test('a demoted admin loses the admin routes at once; a refresh gives the member rights', async () => {
  const dan = await secondAdmin('dan');
  assert.equal((await dan.client.get('/api/v1/auth/me')).body.role, 'admin');
  assert.equal((await root.patch(`/api/v1/users/${dan.id}`, { role: 'member' })).status, 200);

  const create = await dan.client.post('/api/v1/users', {
    name: 'Nope',
    email: 'nope@example.com',
    password: 'password-123',
  });
  assert.ok([401, 403].includes(create.status), `create user: ${create.status}`);
  // The old token is stale (401 token_expired); the refresh cookie still stands for a member.
  const r = await dan.client.post('/api/v1/auth/refresh');
  assert.equal(r.status, 200);
  assert.equal(r.body.user.role, 'member');
  dan.client.token = r.body.accessToken;
  assert.equal((await dan.client.get('/api/v1/auth/me')).status, 200);
  const again = await dan.client.post('/api/v1/users', {
    name: 'Nope',
    email: 'nope@example.com',
    password: 'password-123',
  });
  assert.equal(again.status, 403);
});

test('a logged-out access token is refused; other logins of the user are not', async () => {
  const { client, email } = await userClient(h, root, 'Lou');
  const otherDevice = await new Client(h.url).login(email, 'password-123');
  assert.equal((await client.get('/api/v1/auth/me')).status, 200);
  assert.equal((await client.post('/api/v1/auth/logout')).status, 204);
  const me = await client.get('/api/v1/auth/me');
  assert.equal(me.status, 401);
  assert.equal((await otherDevice.get('/api/v1/auth/me')).status, 200);
});

test('a password change and "log out everywhere" end every access token', async () => {
  const { client, email } = await userClient(h, root, 'Pat');
  const tablet = await new Client(h.url).login(email, 'password-123');
  assert.equal((await tablet.get('/api/v1/auth/me')).status, 200);
  assert.equal(
    (
      await client.post('/api/v1/auth/password', {
        currentPassword: 'password-123',
        newPassword: 'password-456',
      })
    ).status,
    204,
  );
  assert.equal((await tablet.get('/api/v1/auth/me')).status, 401);
  assert.equal((await client.get('/api/v1/auth/me')).status, 401);
  assert.equal((await tablet.post('/api/v1/auth/refresh')).status, 401);

  const a = await new Client(h.url).login(email, 'password-456');
  const b = await new Client(h.url).login(email, 'password-456');
  assert.equal((await a.post('/api/v1/auth/logout-all')).status, 204);
  assert.equal((await b.get('/api/v1/auth/me')).status, 401);
  assert.equal((await b.post('/api/v1/auth/refresh')).status, 401);
  const c = await new Client(h.url).login(email, 'password-456');
  assert.equal((await c.get('/api/v1/auth/me')).status, 200);
});

test('the check holds with a cold cache and while Redis entries are missing', async () => {
  const { client, id } = await userClient(h, root, 'Cole');
  assert.equal((await root.patch(`/api/v1/users/${id}`, { disabled: true })).status, 200);
  const keys = await h.deps.redis.keys(`${h.deps.config.REDIS_KEY_PREFIX}us:*`);
  if (keys.length) await h.deps.redis.del(...keys);
  assert.equal((await client.get('/api/v1/auth/me')).status, 401);
});

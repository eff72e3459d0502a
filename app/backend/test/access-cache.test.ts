// Cached project access (projects/access-cache.ts): once a caller's access to a project is
// cached, a cached board or list read sends no MongoDB command. Each test first proves the
// access is served from the cache (0 commands), then that a change to the project, its members
// or the user is seen by the very next request, not after the cache's TTL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ADMIN,
  Client,
  dbCommands,
  describeCommands,
  startHarness,
  userClient,
  type Harness,
} from './helpers.ts';

const V = '/api/v1';

/** Reads `path` twice and asserts the second read was served without MongoDB. */
async function warm(c: Client, path: string): Promise<void> {
  assert.equal((await c.get(path)).status, 200, path);
  const cs = await dbCommands(async () => assert.equal((await c.get(path)).status, 200, path));
  assert.equal(cs.length, 0, `${path} is cached: ${describeCommands(cs)}`);
}

async function newProject(root: Client, key: string): Promise<string> {
  const r = await root.post(`${V}/projects`, { key, name: key });
  assert.equal(r.status, 201);
  assert.equal((await root.post(`${V}/projects/${key}/tasks`, { title: 'one' })).status, 201);
  return r.body.id as string;
}

describe('with the Redis cache', () => {
  let h: Harness;
  let root: Client;
  let n = 0;
  before(async () => {
    h = await startHarness('accesscache', { AUTH_CACHE_TTL: '3600' });
    root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  });
  after(async () => {
    await h.close();
  });

  /** A project with one member (`role`) whose board and list reads are cached. */
  async function cachedMember(role: 'member' | 'viewer' = 'member') {
    const key = `AC${++n}`;
    const projectId = await newProject(root, key);
    const u = await userClient(h, root, `user${n}`);
    const P = `${V}/projects/${key}`;
    assert.equal((await root.post(`${P}/members`, { userId: u.id, role })).status, 201);
    await warm(u.client, `${P}/board`);
    await warm(u.client, `${P}/tasks`);
    return { P, projectId, key, ...u };
  }

  test('a removed member gets 404 on the next read (no TTL to wait for)', async () => {
    const m = await cachedMember();
    assert.equal((await root.del(`${m.P}/members/${m.id}`)).status, 204);
    assert.equal((await m.client.get(`${m.P}/board`)).status, 404);
    assert.equal((await m.client.get(`${m.P}/tasks`)).status, 404);
  });

  test('a member who leaves loses the cached access too', async () => {
    const m = await cachedMember();
    assert.equal((await m.client.del(`${m.P}/members/${m.id}`)).status, 204);
    assert.equal((await m.client.get(`${m.P}/board`)).status, 404);
  });

  test('a downgrade to viewer is seen by the next write; reads go on', async () => {
    const m = await cachedMember();
    assert.equal((await root.patch(`${m.P}/members/${m.id}`, { role: 'viewer' })).status, 200);
    assert.equal((await m.client.post(`${m.P}/tasks`, { title: 'no' })).status, 403);
    await warm(m.client, `${m.P}/board`);
    // And back: the upgrade is seen at once as well.
    assert.equal((await root.patch(`${m.P}/members/${m.id}`, { role: 'member' })).status, 200);
    assert.equal((await m.client.post(`${m.P}/tasks`, { title: 'yes' })).status, 201);
  });

  test('archiving is seen by the next write', async () => {
    const m = await cachedMember();
    assert.equal((await root.patch(m.P, { archived: true })).status, 200);
    const w = await m.client.post(`${m.P}/tasks`, { title: 'no' });
    assert.equal(w.status, 403);
    assert.match(w.body.message, /archived/);
    assert.equal((await m.client.get(`${m.P}/board`)).status, 200);
  });

  test('a deleted project is 404 at once; a new project under its key is another one', async () => {
    const m = await cachedMember();
    await warm(m.client, `${V}/projects/${m.projectId}/board`);
    assert.equal((await root.del(m.P)).status, 204);
    assert.equal((await m.client.get(`${m.P}/board`)).status, 404);
    assert.equal((await m.client.get(`${m.P}/tasks`)).status, 404);
    assert.equal((await m.client.get(`${V}/projects/${m.projectId}/board`)).status, 404);
    // The key is free again: the user is not a member of the new project.
    const fresh = await root.post(`${V}/projects`, { key: m.key, name: 'Reborn' });
    assert.equal(fresh.status, 201);
    assert.equal((await m.client.get(`${m.P}/board`)).status, 404);
    assert.equal((await m.client.get(`${m.P}/tasks`)).status, 404);
    const b = await root.get(`${m.P}/board`);
    assert.equal(b.status, 200);
    assert.equal(b.body.columns.flatMap((c: { tasks: unknown[] }) => c.tasks).length, 0);
  });

  test('a disabled user is refused on the next request although their access is cached', async () => {
    const m = await cachedMember();
    assert.equal((await root.patch(`${V}/users/${m.id}`, { disabled: true })).status, 200);
    assert.equal((await m.client.get(`${m.P}/board`)).status, 401);
    assert.equal((await m.client.get(`${m.P}/tasks`)).status, 401);
  });

  test('a demoted instance admin loses the projects it is not a member of', async () => {
    const key = `AC${++n}`;
    await newProject(root, key);
    const P = `${V}/projects/${key}`;
    const email = `admin${n}@example.com`;
    const r = await root.post(`${V}/users`, {
      name: `Admin ${n}`,
      email,
      password: 'password-123',
      role: 'admin',
    });
    assert.equal(r.status, 201);
    const a = await new Client(h.url).login(email, 'password-123');
    await warm(a, `${P}/board`); // as an instance admin, without a membership
    assert.equal((await root.patch(`${V}/users/${r.body.id}`, { role: 'member' })).status, 200);
    assert.equal((await a.get(`${P}/board`)).status, 401); // the token predates the change
    const refreshed = await a.post(`${V}/auth/refresh`);
    assert.equal(refreshed.status, 200);
    a.token = refreshed.body.accessToken;
    assert.equal((await a.get(`${P}/board`)).status, 404);
  });

  test('an added member gets in at once; other members keep their cached access', async () => {
    const m = await cachedMember('viewer');
    const other = await userClient(h, root, `other${n}`);
    assert.equal((await other.client.get(`${m.P}/board`)).status, 404);
    assert.equal(
      (await root.post(`${m.P}/members`, { userId: other.id, role: 'viewer' })).status,
      201,
    );
    assert.equal((await other.client.get(`${m.P}/board`)).status, 200);
    await warm(m.client, `${m.P}/board`);
  });
});

describe('with CACHE_ENABLED=false', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('accesscache-off', { CACHE_ENABLED: 'false' });
  });
  after(async () => {
    await h.close();
  });

  test('every read checks access in MongoDB', async () => {
    const root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
    await newProject(root, 'OFF');
    const u = await userClient(h, root, 'Una');
    const P = `${V}/projects/OFF`;
    assert.equal((await root.post(`${P}/members`, { userId: u.id, role: 'viewer' })).status, 201);
    for (let i = 0; i < 3; i++) {
      const cs = await dbCommands(async () =>
        assert.equal((await u.client.get(`${P}/board`)).status, 200),
      );
      const names = cs.map((c) => String(c.command[c.commandName]));
      assert.ok(names.includes('memberships'), describeCommands(cs));
    }
    assert.equal((await root.del(`${P}/members/${u.id}`)).status, 204);
    assert.equal((await u.client.get(`${P}/board`)).status, 404);
  });
});

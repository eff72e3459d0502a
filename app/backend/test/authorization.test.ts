// The permission matrix: owner / admin / member / viewer / non-member / instance admin.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let admin: Client;
const u: Record<string, { client: Client; id: string; email: string }> = {};
let project: { id: string; key: string };
let taskNo: number;

before(async () => {
  h = await startHarness('authz');
  admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  for (const name of ['Owner', 'Padmin', 'Member', 'Viewer', 'Stranger'])
    u[name] = await userClient(h, admin, name);
  const owner = u.Owner?.client as Client;
  const p = await owner.post('/api/v1/projects', { key: 'web', name: 'Website' });
  assert.equal(p.status, 201);
  assert.equal(p.body.key, 'WEB');
  assert.equal(p.body.role, 'owner');
  project = p.body;
  for (const [name, role] of [
    ['Padmin', 'admin'],
    ['Member', 'member'],
    ['Viewer', 'viewer'],
  ] as const) {
    const r = await owner.post(`/api/v1/projects/WEB/members`, { userId: u[name]?.id, role });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const t = await owner.post('/api/v1/projects/WEB/tasks', { title: 'Seed task' });
  assert.equal(t.status, 201);
  taskNo = t.body.number;
});
after(async () => {
  await h.close();
});

const c = (name: string) => u[name]?.client as Client;

test('a non-member gets 404 for the project and everything under it', async () => {
  const s = c('Stranger');
  for (const path of [
    '/api/v1/projects/WEB',
    `/api/v1/projects/${project.id}`,
    '/api/v1/projects/WEB/tasks',
    '/api/v1/projects/WEB/board',
    `/api/v1/projects/WEB/tasks/${taskNo}`,
    '/api/v1/projects/WEB/members',
  ]) {
    const r = await s.get(path);
    assert.equal(r.status, 404, path);
    assert.equal(r.body.error, 'not_found');
  }
  assert.equal((await s.post('/api/v1/projects/WEB/tasks', { title: 'x' })).status, 404);
  assert.equal((await s.del('/api/v1/projects/WEB')).status, 404);
  const list = await s.get('/api/v1/projects');
  assert.deepEqual(list.body.items, []);
});

test('a viewer reads but cannot write', async () => {
  const v = c('Viewer');
  assert.equal((await v.get('/api/v1/projects/WEB/tasks')).status, 200);
  assert.equal((await v.get(`/api/v1/projects/WEB/tasks/${taskNo}`)).status, 200);
  const writes = [
    await v.post('/api/v1/projects/WEB/tasks', { title: 'nope' }),
    await v.patch(`/api/v1/projects/WEB/tasks/${taskNo}`, { title: 'nope' }),
    await v.del(`/api/v1/projects/WEB/tasks/${taskNo}`),
    await v.post(`/api/v1/projects/WEB/tasks/${taskNo}/comments`, { body: 'hi' }),
    await v.post('/api/v1/projects/WEB/labels', { name: 'bug' }),
    await v.patch('/api/v1/projects/WEB', { name: 'x' }),
    await v.post('/api/v1/projects/WEB/members', { userId: u.Stranger?.id, role: 'viewer' }),
  ];
  for (const r of writes) {
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error, 'forbidden');
  }
});

test('a member works on tasks but cannot manage the project or members', async () => {
  const m = c('Member');
  const t = await m.post('/api/v1/projects/WEB/tasks', { title: 'by member' });
  assert.equal(t.status, 201);
  assert.equal(
    (await m.patch(`/api/v1/projects/WEB/tasks/${t.body.number}`, { priority: 'high' })).status,
    200,
  );
  assert.equal((await m.post('/api/v1/projects/WEB/labels', { name: 'bug' })).status, 201);
  assert.equal((await m.patch('/api/v1/projects/WEB', { name: 'x' })).status, 403);
  assert.equal(
    (await m.post('/api/v1/projects/WEB/states', { name: 'QA', category: 'started' })).status,
    403,
  );
  assert.equal(
    (await m.post('/api/v1/projects/WEB/members', { userId: u.Stranger?.id, role: 'viewer' }))
      .status,
    403,
  );
  assert.equal(
    (await m.patch(`/api/v1/projects/WEB/members/${u.Viewer?.id}`, { role: 'member' })).status,
    403,
  );
  assert.equal((await m.del('/api/v1/projects/WEB')).status, 403);
});

test('a project admin manages members but not owners, nor archive/delete', async () => {
  const a = c('Padmin');
  assert.equal((await a.patch('/api/v1/projects/WEB', { description: 'Our site' })).status, 200);
  assert.equal(
    (await a.patch(`/api/v1/projects/WEB/members/${u.Viewer?.id}`, { role: 'member' })).status,
    200,
  );
  assert.equal(
    (await a.patch(`/api/v1/projects/WEB/members/${u.Viewer?.id}`, { role: 'viewer' })).status,
    200,
  );
  assert.equal(
    (await a.patch(`/api/v1/projects/WEB/members/${u.Viewer?.id}`, { role: 'owner' })).status,
    403,
  );
  assert.equal(
    (await a.patch(`/api/v1/projects/WEB/members/${u.Owner?.id}`, { role: 'member' })).status,
    403,
  );
  assert.equal((await a.del(`/api/v1/projects/WEB/members/${u.Owner?.id}`)).status, 403);
  assert.equal((await a.patch('/api/v1/projects/WEB', { archived: true })).status, 403);
  assert.equal((await a.del('/api/v1/projects/WEB')).status, 403);
  assert.equal(
    (await a.post('/api/v1/projects/WEB/members', { userId: u.Member?.id, role: 'viewer' })).status,
    409,
  );
});

test('owners: the last owner cannot leave; archive blocks writes', async () => {
  const o = c('Owner');
  const last = await o.del(`/api/v1/projects/WEB/members/${u.Owner?.id}`);
  assert.equal(last.status, 409);
  assert.equal(
    (await o.patch(`/api/v1/projects/WEB/members/${u.Owner?.id}`, { role: 'admin' })).status,
    409,
  );
  assert.equal((await o.patch('/api/v1/projects/WEB', { archived: true })).status, 200);
  assert.equal(
    (await c('Member').post('/api/v1/projects/WEB/tasks', { title: 'late' })).status,
    403,
  );
  assert.equal((await o.get('/api/v1/projects')).body.items.length, 0);
  assert.equal((await o.get('/api/v1/projects?archived=true')).body.items.length, 1);
  assert.equal((await o.patch('/api/v1/projects/WEB', { archived: false })).status, 200);
});

test('instance admins see every project; only admins manage users', async () => {
  const r = await admin.get('/api/v1/projects/WEB');
  assert.equal(r.status, 200);
  assert.equal(r.body.role, 'admin');
  const m = c('Member');
  assert.equal(
    (await m.post('/api/v1/users', { name: 'X', email: 'x@example.com', password: 'password-1' }))
      .status,
    403,
  );
  assert.equal((await m.patch(`/api/v1/users/${u.Viewer?.id}`, { role: 'admin' })).status, 403);
  assert.equal((await m.get('/api/v1/users?q=own')).body.items.length, 1);
});

test('members can leave; a removed member loses access', async () => {
  const v = c('Viewer');
  assert.equal((await v.del(`/api/v1/projects/WEB/members/${u.Viewer?.id}`)).status, 204);
  assert.equal((await v.get('/api/v1/projects/WEB')).status, 404);
});

// Saved views: CRUD, validation through the task list's filter schema, and who sees and changes
// what (owner, project admin, member, viewer, outsider).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let admin: Client;
const u: Record<string, Client> = {};
let stateId: string;
const V = '/api/v1/projects/WEB/views';

const c = (name: string) => u[name] as Client;
const paths = (body: { details?: { path: string }[] }) => (body.details ?? []).map((d) => d.path);

before(async () => {
  h = await startHarness('views');
  admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  const ids: Record<string, string> = {};
  for (const name of ['Owner', 'Padmin', 'Member', 'Other', 'Viewer', 'Stranger']) {
    const x = await userClient(h, admin, name);
    u[name] = x.client;
    ids[name] = x.id;
  }
  assert.equal((await c('Owner').post('/api/v1/projects', { key: 'WEB', name: 'W' })).status, 201);
  for (const [name, role] of [
    ['Padmin', 'admin'],
    ['Member', 'member'],
    ['Other', 'member'],
    ['Viewer', 'viewer'],
  ] as const) {
    const r = await c('Owner').post('/api/v1/projects/WEB/members', { userId: ids[name], role });
    assert.equal(r.status, 201);
  }
  stateId = (await c('Owner').get('/api/v1/projects/WEB/states')).body.items[0].id;
});
after(async () => {
  await h?.close();
});

describe('CRUD', () => {
  let id: string;
  test('create with filters, sort and layout; defaults for the rest', async () => {
    const r = await c('Member').post(V, {
      name: 'My urgent work',
      filters: { assignee: ['me'], priority: 'urgent,high', state: [stateId], q: ' login ' },
      sort: 'priority',
      layout: 'board',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.filters, {
      assignee: ['me'],
      priority: ['urgent', 'high'],
      state: [stateId],
      q: 'login',
    });
    assert.equal(r.body.sort, 'priority');
    assert.equal(r.body.layout, 'board');
    assert.equal(r.body.shared, false);
    assert.equal(r.body.canEdit, true);
    id = r.body.id;
    const d = await c('Member').post(V, { name: 'Defaults' });
    assert.equal(d.status, 201);
    assert.deepEqual(
      [d.body.filters, d.body.sort, d.body.layout, d.body.shared],
      [{}, '-created', 'list', false],
    );
  });

  test('list, get, rename, change filters, delete', async () => {
    const list = await c('Member').get(V);
    assert.deepEqual(
      list.body.items.map((v: { name: string }) => v.name),
      ['Defaults', 'My urgent work'],
    );
    assert.equal((await c('Member').get(`${V}/${id}`)).body.name, 'My urgent work');
    const p = await c('Member').patch(`${V}/${id}`, {
      name: 'Renamed',
      filters: { label: [] },
      layout: 'list',
    });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepEqual([p.body.name, p.body.filters, p.body.layout], ['Renamed', {}, 'list']);
    assert.equal((await c('Member').del(`${V}/${id}`)).status, 204);
    assert.equal((await c('Member').get(`${V}/${id}`)).status, 404);
  });

  test('a duplicate name is 409', async () => {
    const r = await c('Member').post(V, { name: 'Defaults' });
    assert.equal(r.status, 409);
    // Another user may use the same name.
    assert.equal((await c('Other').post(V, { name: 'Defaults' })).status, 201);
  });
});

describe('validation', () => {
  const bad = async (body: unknown) => {
    const r = await c('Member').post(V, body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    return paths(r.body);
  };
  test('filters go through the task list schema: 400 naming the field', async () => {
    assert.deepEqual(await bad({ name: 'x', filters: { priority: ['critical'] } }), [
      'body.filters.priority.0',
    ]);
    assert.deepEqual(await bad({ name: 'x', filters: { state: ['nope'] } }), [
      'body.filters.state.0',
    ]);
    assert.deepEqual(await bad({ name: 'x', filters: { dueBefore: '2026-02-31' } }), [
      'body.filters.dueBefore',
    ]);
    assert.deepEqual(await bad({ name: 'x', filters: { colour: 'red' } }), ['body.filters']);
    assert.deepEqual(await bad({ name: 'x', filters: { q: 'x'.repeat(201) } }), ['body.filters.q']);
    assert.deepEqual(await bad({ name: 'x', filters: ['priority'] }), ['body.filters']);
  });
  test('name, sort, layout, shared, unknown fields', async () => {
    assert.deepEqual(await bad({}), ['body.name']);
    assert.deepEqual(await bad({ name: '\u202e ' }), ['body.name']);
    assert.deepEqual(await bad({ name: 'x'.repeat(81) }), ['body.name']);
    assert.deepEqual(await bad({ name: 'x', sort: 'random' }), ['body.sort']);
    assert.deepEqual(await bad({ name: 'x', layout: 'gantt' }), ['body.layout']);
    assert.deepEqual(await bad({ name: 'x', shared: 'yes' }), ['body.shared']);
    assert.deepEqual(await bad({ name: 'x', ownerId: 'me' }), ['body']);
    const r = await c('Member').get(`${V}/not-an-id`);
    assert.equal(r.status, 400);
    assert.deepEqual(paths(r.body), ['params.viewId']);
  });
});

describe('sharing', () => {
  let priv: string;
  let shared: string;
  before(async () => {
    priv = (await c('Member').post(V, { name: 'Private one' })).body.id;
    const s = await c('Member').post(V, { name: 'Team triage', shared: true, sort: 'priority' });
    assert.equal(s.status, 201);
    shared = s.body.id;
  });

  test('shared views are listed for every member; private ones only for the owner', async () => {
    for (const name of ['Other', 'Viewer', 'Padmin', 'Owner']) {
      const names = (await c(name).get(V)).body.items.map((v: { name: string }) => v.name);
      assert.ok(names.includes('Team triage'), name);
      assert.ok(!names.includes('Private one'), name);
      assert.equal((await c(name).get(`${V}/${priv}`)).status, 404, name);
    }
    assert.equal((await c('Stranger').get(V)).status, 404);
    assert.equal((await c('Stranger').get(`${V}/${shared}`)).status, 404);
  });

  test('a member cannot change or delete someone else’s shared view', async () => {
    const v = (await c('Other').get(`${V}/${shared}`)).body;
    assert.equal(v.canEdit, false);
    assert.equal((await c('Other').patch(`${V}/${shared}`, { name: 'Mine now' })).status, 403);
    assert.equal((await c('Other').del(`${V}/${shared}`)).status, 403);
    assert.equal((await c('Other').patch(`${V}/${priv}`, { name: 'x' })).status, 404);
  });

  test('project admins (and the owner role) can edit and delete shared views', async () => {
    const v = (await c('Padmin').get(`${V}/${shared}`)).body;
    assert.equal(v.canEdit, true);
    const p = await c('Padmin').patch(`${V}/${shared}`, { name: 'Triage (admin)' });
    assert.equal(p.status, 200);
    assert.equal(p.body.ownerName, 'Member');
    // Un-sharing takes it away from the others; the admin then no longer sees it either.
    assert.equal((await c('Owner').patch(`${V}/${shared}`, { shared: false })).status, 200);
    assert.equal((await c('Other').get(`${V}/${shared}`)).status, 404);
    assert.equal((await c('Member').get(`${V}/${shared}`)).body.shared, false);
    // Private views of others stay out of reach even for project admins.
    assert.equal((await c('Padmin').del(`${V}/${priv}`)).status, 404);
    assert.equal((await c('Member').patch(`${V}/${shared}`, { shared: true })).status, 200);
    assert.equal((await c('Padmin').del(`${V}/${shared}`)).status, 204);
    assert.equal((await c('Member').get(`${V}/${shared}`)).status, 404);
  });

  test('viewers keep private views but cannot share them', async () => {
    const r = await c('Viewer').post(V, { name: 'Viewer view', shared: true });
    assert.equal(r.status, 403);
    const ok = await c('Viewer').post(V, { name: 'Viewer view' });
    assert.equal(ok.status, 201);
    assert.equal((await c('Viewer').patch(`${V}/${ok.body.id}`, { shared: true })).status, 403);
    assert.equal((await c('Viewer').patch(`${V}/${ok.body.id}`, { layout: 'board' })).status, 200);
  });

  test('views of one project are not reachable through another', async () => {
    assert.equal(
      (await c('Member').post('/api/v1/projects', { key: 'OPS', name: 'O' })).status,
      201,
    );
    const r = await c('Member').get(`/api/v1/projects/OPS/views/${priv}`);
    assert.equal(r.status, 404);
  });
});

test('the OpenAPI document lists search and views', async () => {
  const r = await admin.get('/api/v1/openapi.json');
  const paths = Object.keys(r.body.paths);
  assert.ok(paths.includes('/api/v1/search'));
  assert.ok(paths.some((p) => p.startsWith('/api/v1/projects/{project}/views')));
});

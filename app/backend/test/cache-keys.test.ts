// Cached reads whose filter is resolved per caller (`assignee=me`) are cached per caller: two
// users asking for "my" board or list at once each get their own tasks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness('cachekeys');
});
after(async () => {
  await h.close();
});

test('board and list with assignee=me are cached per user', async () => {
  const root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await root.post('/api/v1/projects', { key: 'MY', name: 'Mine' })).status, 201);
  const P = '/api/v1/projects/MY';
  const ann = await userClient(h, root, 'Ann');
  const bob = await userClient(h, root, 'Bob');
  for (const u of [ann, bob])
    assert.equal((await root.post(`${P}/members`, { userId: u.id, role: 'member' })).status, 201);
  const a = await root.post(`${P}/tasks`, { title: 'for ann', assigneeIds: [ann.id] });
  const b = await root.post(`${P}/tasks`, { title: 'for bob', assigneeIds: [bob.id] });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);

  const titles = (board: { columns: { tasks: { title: string }[] }[] }) =>
    board.columns.flatMap((col) => col.tasks.map((t) => t.title));
  for (let round = 0; round < 2; round++) {
    // Round 2 is served from the cache.
    const annBoard = await ann.client.get(`${P}/board?assignee=me`);
    const bobBoard = await bob.client.get(`${P}/board?assignee=me`);
    assert.deepEqual(titles(annBoard.body), ['for ann'], `ann, round ${round}`);
    assert.deepEqual(titles(bobBoard.body), ['for bob'], `bob, round ${round}`);
    const annList = await ann.client.get(`${P}/tasks?assignee=me`);
    const bobList = await bob.client.get(`${P}/tasks?assignee=me`);
    assert.deepEqual(
      annList.body.items.map((t: { title: string }) => t.title),
      ['for ann'],
    );
    assert.deepEqual(
      bobList.body.items.map((t: { title: string }) => t.title),
      ['for bob'],
    );
  }
  // Users sharing an identical filter still share one cache entry (the cache keeps working).
  const before = (await h.deps.redis.keys(`${h.deps.config.REDIS_KEY_PREFIX}c:*board*`)).length;
  await ann.client.get(`${P}/board`);
  await bob.client.get(`${P}/board`);
  const afterCount = (await h.deps.redis.keys(`${h.deps.config.REDIS_KEY_PREFIX}c:*board*`)).length;
  assert.equal(afterCount, before + 1);
});

test('a cached read carries an ETag: 304 while nothing changed, a new tag after a write', async () => {
  const root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await root.post('/api/v1/projects', { key: 'ET', name: 'Tags' })).status, 201);
  const P = '/api/v1/projects/ET';
  assert.equal((await root.post(`${P}/tasks`, { title: 'one' })).status, 201);
  for (const path of [`${P}/board`, `${P}/tasks`]) {
    const first = await root.get(path);
    const tag = first.headers.get('etag');
    assert.match(tag ?? '', /^W\/".+"$/, path);
    // A browser's revalidation (fetch() with a hand-set If-None-Match would add no-cache).
    const again = await root.req('GET', path, undefined, {
      'if-none-match': tag ?? '',
      'cache-control': 'max-age=0',
    });
    assert.equal(again.status, 304, path);
  }
  const tag = (await root.get(`${P}/board`)).headers.get('etag') ?? '';
  assert.equal((await root.post(`${P}/tasks`, { title: 'two' })).status, 201);
  const changed = await root.req('GET', `${P}/board`, undefined, {
    'if-none-match': tag,
    'cache-control': 'max-age=0',
  });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), tag);
  assert.deepEqual(
    changed.body.columns.flatMap((c: { tasks: { title: string }[] }) =>
      c.tasks.map((t) => t.title),
    ),
    ['one', 'two'],
  );
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Task } from '../src/tasks/model.ts';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let owner: Client;
let ownerId: string;
let bob: { client: Client; id: string };
let states: { id: string; name: string; category: string }[];
let labels: Record<string, string>;
const P = '/api/v1/projects/OPS';

before(async () => {
  h = await startHarness('tasks');
  const admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  const o = await userClient(h, admin, 'Olivia');
  owner = o.client;
  ownerId = o.id;
  bob = await userClient(h, admin, 'Bob');
  assert.equal(
    (await owner.post('/api/v1/projects', { key: 'OPS', name: 'Operations' })).status,
    201,
  );
  assert.equal((await owner.post(`${P}/members`, { userId: bob.id, role: 'member' })).status, 201);
  states = (await owner.get(`${P}/states`)).body.items;
  assert.deepEqual(
    states.map((s) => s.category),
    ['backlog', 'unstarted', 'started', 'completed', 'cancelled'],
  );
  labels = {};
  for (const name of ['bug', 'feature'])
    labels[name] = (await owner.post(`${P}/labels`, { name, color: '#ff0000' })).body.id;
});
after(async () => {
  await h.close();
});

const sid = (i: number) => states[i]?.id as string;

test('create, read, update with activity old → new, delete', async () => {
  const r = await owner.post(`${P}/tasks`, {
    title: 'Write runbook',
    description: '# Steps\n- one',
    priority: 'medium',
    assigneeIds: [bob.id],
    labelIds: [labels.bug],
    dueDate: '2026-12-01',
    estimate: 3,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const t = r.body;
  assert.equal(t.key, `OPS-${t.number}`);
  assert.equal(t.stateId, sid(0), 'defaults to the first state');
  assert.equal(t.dueDate, '2026-12-01T00:00:00.000Z');
  assert.deepEqual(t.assigneeIds, [bob.id]);

  const byNumber = await owner.get(`${P}/tasks/${t.number}`);
  const byId = await owner.get(`${P}/tasks/${t.id}`);
  assert.equal(byNumber.body.id, t.id);
  assert.equal(byId.body.number, t.number);
  assert.equal((await owner.get(`${P}/tasks/${t.key}`)).body.id, t.id);
  assert.equal((await owner.get(`${P}/tasks/ops-${t.number}`)).body.id, t.id);
  assert.equal((await owner.get(`${P}/tasks/WEB-${t.number}`)).status, 404, 'another project key');

  const u = await owner.patch(`${P}/tasks/${t.number}`, {
    priority: 'urgent',
    dueDate: null,
    title: 'Write the runbook',
  });
  assert.equal(u.status, 200);
  assert.equal(u.body.priority, 'urgent');
  assert.equal(u.body.dueDate, null);
  const act = await owner.get(`${P}/tasks/${t.number}/activity`);
  const upd = act.body.items.find((a: { action: string }) => a.action === 'task.updated');
  assert.ok(upd);
  assert.deepEqual(
    upd.changes.find((c: { field: string }) => c.field === 'priority'),
    { field: 'priority', from: 'medium', to: 'urgent' },
  );
  assert.deepEqual(
    upd.changes.find((c: { field: string }) => c.field === 'dueDate'),
    { field: 'dueDate', from: '2026-12-01T00:00:00.000Z', to: null },
  );
  assert.equal(act.body.items[0].actorName, 'Olivia');

  // Bob was assigned: he has a notification.
  const n = await bob.client.get('/api/v1/notifications');
  assert.equal(n.body.items[0].type, 'assigned');
  assert.equal(n.body.items[0].taskKey, t.key);
  assert.equal(n.body.unreadCount, 1);
  assert.equal(
    (await bob.client.post(`/api/v1/notifications/${n.body.items[0].id}/read`)).status,
    204,
  );
  assert.equal((await bob.client.get('/api/v1/notifications?unread=true')).body.items.length, 0);

  const sub = await owner.post(`${P}/tasks`, { title: 'Sub-task', parentId: t.id });
  assert.equal(sub.body.parentId, t.id);
  const cycle = await owner.patch(`${P}/tasks/${t.number}`, { parentId: sub.body.id });
  assert.equal(cycle.status, 400);
  assert.equal(cycle.body.details[0].path, 'body.parentId');
  assert.equal((await owner.get(`${P}/tasks?parent=${t.id}`)).body.items.length, 1);

  assert.equal((await owner.del(`${P}/tasks/${t.number}`)).status, 204);
  assert.equal((await owner.get(`${P}/tasks/${t.number}`)).status, 404);
  assert.equal((await owner.get(`${P}/tasks/${sub.body.number}`)).body.parentId, null);
  assert.equal((await owner.del(`${P}/tasks/${sub.body.number}`)).status, 204);
});

test('references must belong to the project', async () => {
  const other = await owner.post('/api/v1/projects', { key: 'OTH', name: 'Other' });
  const foreignState = (await owner.get(`/api/v1/projects/${other.body.id}/states`)).body.items[0]
    .id;
  const r = await owner.post(`${P}/tasks`, {
    title: 'x',
    stateId: foreignState,
    labelIds: ['0123456789abcdef01234567'],
    assigneeIds: [ownerId, '0123456789abcdef01234567'],
  });
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.details.map((d: { path: string }) => d.path).sort(), [
    'body.assigneeIds',
    'body.labelIds',
    'body.stateId',
  ]);
});

test('filters, sorting and cursor pagination', async () => {
  const priorities = ['none', 'low', 'medium', 'high', 'urgent'];
  const created: { id: string; number: number }[] = [];
  for (let i = 0; i < 23; i++) {
    const r = await owner.post(`${P}/tasks`, {
      title: i % 5 === 0 ? `Deploy pipeline ${i}` : `Task ${i}`,
      priority: priorities[i % 5],
      stateId: sid(i % 3),
      assigneeIds: i % 2 === 0 ? [bob.id] : [],
      labelIds: i % 4 === 0 ? [labels.feature] : [],
      dueDate: `2027-01-${String((i % 28) + 1).padStart(2, '0')}`,
    });
    assert.equal(r.status, 201);
    created.push(r.body);
  }
  // Paginate through everything with a small page: every task exactly once, in order.
  for (const sort of ['-created', 'number', '-number', 'priority', 'updated']) {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `${P}/tasks?sort=${sort}&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const r = await owner.get(q);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      seen.push(...r.body.items.map((t: { id: string }) => t.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    assert.equal(seen.length, 23, sort);
    assert.equal(new Set(seen).size, 23, `${sort}: no duplicates`);
  }
  const byNumber = (await owner.get(`${P}/tasks?sort=number&limit=100`)).body.items.map(
    (t: { number: number }) => t.number,
  );
  assert.deepEqual(
    byNumber,
    [...byNumber].sort((a: number, b: number) => a - b),
  );
  const byPriority = (await owner.get(`${P}/tasks?sort=priority&limit=100`)).body.items.map(
    (t: { priority: string }) => priorities.indexOf(t.priority),
  );
  assert.deepEqual(
    byPriority,
    [...byPriority].sort((a: number, b: number) => b - a),
  );

  const count = async (qs: string) =>
    (await owner.get(`${P}/tasks?limit=100&${qs}`)).body.items.length;
  assert.equal(await count(`assignee=${bob.id}`), 12);
  assert.equal(await count('assignee=none'), 11);
  assert.equal(await count(`label=${labels.feature}`), 6);
  assert.equal(await count('priority=urgent,high'), 8);
  assert.equal(await count('priority=urgent&priority=high'), 8);
  assert.equal(await count(`state=${sid(1)}`), 8);
  assert.equal(await count('q=deploy'), 5);
  assert.equal(await count('q=DEPLOY%20PIPELINE%2010'), 1);
  assert.equal(await count(`q=OPS-${created[3]?.number}`), 1);
  assert.equal(await count('q=.*'), 0, 'regex metacharacters are literal');
  assert.equal(await count('dueBefore=2027-01-05&dueAfter=2027-01-02'), 4);
  assert.equal(await count(`assignee=me`), 0);
  const mismatched = await owner.get(
    `${P}/tasks?sort=number&cursor=${(await owner.get(`${P}/tasks?limit=2`)).body.nextCursor}`,
  );
  assert.equal(mismatched.status, 400);
});

test('board: columns in state order, tasks in rank order; moves keep a consistent order', async () => {
  const col = sid(2);
  const fresh = [];
  for (const title of ['A', 'B', 'C', 'D'])
    fresh.push((await owner.post(`${P}/tasks`, { title, stateId: sid(4) })).body);
  const boardOf = async () => {
    const b = await owner.get(`${P}/board`);
    assert.equal(b.status, 200);
    return b.body.columns as {
      state: { id: string };
      tasks: { id: string; title: string; rank: string }[];
    }[];
  };
  let cols = await boardOf();
  assert.deepEqual(
    cols.map((c) => c.state.id),
    states.map((s) => s.id),
  );
  const titles = (i: number) => cols[i]?.tasks.map((t) => t.title);
  assert.deepEqual(titles(4), ['A', 'B', 'C', 'D']);

  // D to the top, B to the end, A between C and B: C? No: explicit indexes.
  const move = async (t: { number: number }, stateId: string, index?: number) => {
    const r = await owner.post(
      `${P}/tasks/${t.number}/move`,
      index === undefined ? { stateId } : { stateId, index },
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  await move(fresh[3], sid(4), 0); // D A B C
  cols = await boardOf(); // also checks the cache was invalidated
  assert.deepEqual(titles(4), ['D', 'A', 'B', 'C']);
  await move(fresh[1], sid(4), 3); // D A C B
  await move(fresh[0], sid(4), 2); // D C A B
  cols = await boardOf();
  assert.deepEqual(titles(4), ['D', 'C', 'A', 'B']);
  // Across columns: C to the top of "started".
  const before = cols[2]?.tasks.length ?? 0;
  await move(fresh[2], col, 0);
  cols = await boardOf();
  assert.deepEqual(titles(4), ['D', 'A', 'B']);
  assert.equal(cols[2]?.tasks[0]?.title, 'C');
  assert.equal(cols[2]?.tasks.length, before + 1);
  // Ranks strictly increase in every column; the list endpoint agrees with the board.
  for (const c of cols) {
    const ranks = c.tasks.map((t) => t.rank);
    for (let i = 1; i < ranks.length; i++)
      assert.ok((ranks[i - 1] as string) < (ranks[i] as string));
  }
  const listed = (await owner.get(`${P}/tasks?state=${sid(4)}&sort=rank`)).body.items.map(
    (t: { title: string }) => t.title,
  );
  assert.deepEqual(listed, ['D', 'A', 'B']);
  // Many moves to the same spot keep order and never collide.
  for (let i = 0; i < 15; i++) await move(i % 2 ? fresh[0] : fresh[1], sid(4), 1);
  cols = await boardOf();
  assert.equal(new Set(cols[4]?.tasks.map((t) => t.rank)).size, 3);
  const moveAct = (await owner.get(`${P}/tasks/${fresh[2].number}/activity`)).body.items[0];
  assert.equal(moveAct.action, 'task.moved');
  assert.deepEqual(
    moveAct.changes.find((c: { field: string }) => c.field === 'stateId'),
    { field: 'stateId', from: sid(4), to: col },
  );
});

test('labels and states: deleting cleans up references', async () => {
  const t = await owner.post(`${P}/tasks`, {
    title: 'labelled',
    labelIds: [labels.bug, labels.feature],
  });
  assert.equal((await owner.del(`${P}/labels/${labels.bug}`)).status, 204);
  assert.deepEqual((await owner.get(`${P}/tasks/${t.body.number}`)).body.labelIds, [
    labels.feature,
  ]);

  const qa = await owner.post(`${P}/states`, { name: 'QA', category: 'started' });
  assert.equal(qa.body.position, 5);
  const reordered = await owner.patch(`${P}/states/${qa.body.id}`, { position: 2 });
  assert.equal(reordered.status, 200);
  const names = (await owner.get(`${P}/states`)).body.items.map((s: { name: string }) => s.name);
  assert.deepEqual(names, ['Backlog', 'Todo', 'QA', 'In Progress', 'Done', 'Cancelled']);
  await owner.post(`${P}/tasks/${t.body.number}/move`, { stateId: qa.body.id });
  assert.equal((await owner.del(`${P}/states/${qa.body.id}`)).status, 409);
  assert.equal((await owner.del(`${P}/states/${qa.body.id}?moveTo=${sid(0)}`)).status, 204);
  assert.equal((await owner.get(`${P}/tasks/${t.body.number}`)).body.stateId, sid(0));
});

test('comments with @mentions notify the mentioned member', async () => {
  const t = await owner.post(`${P}/tasks`, { title: 'Discuss' });
  const before = (await bob.client.get('/api/v1/notifications')).body.unreadCount;
  const c = await owner.post(`${P}/tasks/${t.body.number}/comments`, {
    body: 'What do you think @bob? `@olivia` is code.',
  });
  assert.equal(c.status, 201);
  assert.deepEqual(c.body.mentions, [bob.id]);
  const n = await bob.client.get('/api/v1/notifications');
  assert.equal(n.body.unreadCount, before + 1);
  assert.equal(n.body.items[0].type, 'mention');
  // Only the author edits; others get 403.
  assert.equal(
    (await bob.client.patch(`${P}/comments/${c.body.id}`, { body: 'hijack' })).status,
    403,
  );
  assert.equal(
    (await owner.patch(`${P}/comments/${c.body.id}`, { body: 'edited' })).body.body,
    'edited',
  );
  const list = await owner.get(`${P}/tasks/${t.body.number}/comments`);
  assert.equal(list.body.items.length, 1);
  assert.equal((await owner.del(`${P}/comments/${c.body.id}`)).status, 204);
  assert.equal((await bob.client.post('/api/v1/notifications/read-all')).status, 204);
  assert.equal((await bob.client.get('/api/v1/notifications')).body.unreadCount, 0);
  const pa = await owner.get(`${P}/activity?limit=5`);
  assert.equal(pa.body.items.length, 5);
  assert.ok(pa.body.nextCursor);
  const next = await owner.get(`${P}/activity?limit=5&cursor=${pa.body.nextCursor}`);
  assert.equal(next.body.items.length, 5);
  assert.ok(next.body.items[0].id < pa.body.items[4].id);
});

test('deleting a project removes its data', async () => {
  assert.equal((await owner.del('/api/v1/projects/OTH')).status, 204);
  assert.equal((await owner.get('/api/v1/projects/OTH')).status, 404);
  const again = await owner.post('/api/v1/projects', { key: 'OTH', name: 'Again' });
  assert.equal(again.status, 201);
  const t = await owner.post('/api/v1/projects/OTH/tasks', { title: 'first' });
  assert.equal(t.body.number, 1, 'the sequence restarts');
});

test('hot reads come from the Redis cache and every write invalidates them', async () => {
  const p = (await owner.get(P)).body;
  const t = (await owner.post(`${P}/tasks`, { title: 'cached title' })).body;
  const list = async () =>
    (await owner.get(`${P}/tasks?q=cached&limit=5`)).body.items.map(
      (x: { title: string }) => x.title,
    );
  const boardTitles = async () =>
    (await owner.get(`${P}/board`)).body.columns.flatMap((col: { tasks: { title: string }[] }) =>
      col.tasks.map((x) => x.title),
    );
  assert.deepEqual(await list(), ['cached title']);
  assert.ok((await boardTitles()).includes('cached title'));
  const keys = await h.deps.redis.keys(`${h.deps.config.REDIS_KEY_PREFIX}c:p:${p.id}:*`);
  assert.ok(keys.length >= 2, 'list and board cached');
  // A change behind the API's back is not seen: proof the reads are served from the cache…
  const { Task } = await import('../src/tasks/model.ts');
  await Task.updateOne({ _id: t.id }, { $set: { title: 'cached title (changed directly)' } });
  assert.deepEqual(await list(), ['cached title']);
  // …and any write through the API invalidates every cached read of the project.
  await owner
    .post(`${P}/labels`, { name: 'invalidate-me' })
    .then(() => owner.patch(`${P}/tasks/${t.number}`, { estimate: 1 }));
  assert.deepEqual(await list(), ['cached title (changed directly)']);
  assert.ok((await boardTitles()).includes('cached title (changed directly)'));
});

test('parallel creates get distinct, gap-free numbers', async () => {
  await owner.post('/api/v1/projects', { key: 'PAR', name: 'Parallel' });
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      owner.post('/api/v1/projects/PAR/tasks', { title: `p${i}` }),
    ),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    Array(8).fill(201),
  );
  const numbers = results.map((r) => r.body.number as number).sort((a, b) => a - b);
  assert.equal(new Set(numbers).size, 8);
});

test('assignees and labels toggled concurrently by two people all survive (atomic add/remove)', async () => {
  const t = (await owner.post(`${P}/tasks`, { title: 'Concurrent toggles' })).body;
  const T = `${P}/tasks/${t.number}`;
  const lbl = async (name: string) =>
    (await owner.post(`${P}/labels`, { name, color: '#00ff00' })).body.id as string;
  const labels = { bug: await lbl('defect'), feature: await lbl('wish') };
  // Four different edits at once from two users: each must land, none rebuilt from a stale copy.
  const rs = await Promise.all([
    owner.post(`${T}/assignees`, { userId: ownerId }),
    bob.client.post(`${T}/assignees`, { userId: bob.id }),
    owner.post(`${T}/labels`, { labelId: labels.bug }),
    bob.client.post(`${T}/labels`, { labelId: labels.feature }),
  ]);
  assert.deepEqual(
    rs.map((r) => r.status),
    [200, 200, 200, 200],
    JSON.stringify(rs.map((r) => r.body)),
  );
  let cur = (await owner.get(T)).body;
  assert.deepEqual([...cur.assigneeIds].sort(), [ownerId, bob.id].sort());
  assert.deepEqual([...cur.labelIds].sort(), [labels.bug, labels.feature].sort());
  assert.equal(cur.version, 4, 'each edit is one version');

  // Removing one while someone else edits the title: both changes stay.
  const [rm, title] = await Promise.all([
    bob.client.del(`${T}/assignees/${ownerId}`),
    owner.patch(T, { title: 'Concurrent toggles, renamed' }),
  ]);
  assert.equal(rm.status, 200);
  assert.equal(title.status, 200);
  cur = (await owner.get(T)).body;
  assert.deepEqual(cur.assigneeIds, [bob.id]);
  assert.equal(cur.title, 'Concurrent toggles, renamed');

  // Idempotent: adding what is there / removing what is not changes nothing (no new version).
  const again = await owner.post(`${T}/labels`, { labelId: labels.bug });
  assert.equal(again.status, 200);
  assert.equal(again.body.version, cur.version);
  assert.equal((await owner.del(`${T}/assignees/${ownerId}`)).body.version, cur.version);
  // Only members and the project's labels can be added.
  const outsider = await owner.post(`${T}/assignees`, { userId: '0123456789abcdef01234567' });
  assert.equal(outsider.status, 400);
  assert.equal(outsider.body.details[0].path, 'body.assigneeIds');
  const act = await owner.get(`${T}/activity`);
  assert.ok(
    act.body.items.some(
      (a: { changes: { field: string }[] }) => a.changes[0]?.field === 'labelIds',
    ),
  );
});

test('ETag / If-Match: a stale version gets 412 with the current task and changes nothing', async () => {
  const t = (await owner.post(`${P}/tasks`, { title: 'Versioned', priority: 'low' })).body;
  const T = `${P}/tasks/${t.number}`;
  const labels = {
    bug: (await owner.post(`${P}/labels`, { name: 'v', color: '#0000ff' })).body.id,
  };
  const g = await owner.get(T);
  assert.equal(g.headers.get('etag'), `"${g.body.version}"`);
  const etag = g.headers.get('etag') as string;

  const ok = await owner.req('PATCH', T, { priority: 'high' }, { 'if-match': etag });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.headers.get('etag'), `"${ok.body.version}"`);
  assert.notEqual(ok.headers.get('etag'), etag);

  // Bob still holds the old ETag.
  const staleRes = await bob.client.req(
    'PATCH',
    T,
    { priority: 'urgent', title: 'X' },
    {
      'if-match': etag,
    },
  );
  assert.equal(staleRes.status, 412, JSON.stringify(staleRes.body));
  assert.equal(staleRes.body.error, 'precondition_failed');
  assert.equal(staleRes.body.current.priority, 'high');
  assert.equal(staleRes.body.current.version, ok.body.version);
  assert.equal(staleRes.headers.get('etag'), ok.headers.get('etag'));
  const after = (await owner.get(T)).body;
  assert.equal(after.priority, 'high', 'the stale edit changed nothing');
  assert.equal(after.title, 'Versioned');
  assert.equal(after.version, ok.body.version);
  // Stale If-Match on the atomic endpoints too.
  assert.equal(
    (await bob.client.req('POST', `${T}/labels`, { labelId: labels.bug }, { 'if-match': etag }))
      .status,
    412,
  );

  // Without If-Match (optional) the write applies to whatever version is current.
  const free = await bob.client.patch(T, { priority: 'urgent' });
  assert.equal(free.status, 200);
  assert.equal(free.body.version, after.version + 1);
  // `*` and weak tags are accepted.
  assert.equal((await owner.req('PATCH', T, { estimate: 2 }, { 'if-match': '*' })).status, 200);
  const cur = (await owner.get(T)).body;
  assert.equal(
    (await owner.req('PATCH', T, { estimate: 3 }, { 'if-match': `W/"${cur.version}"` })).status,
    200,
  );

  // Two writers holding the same ETag: exactly one wins, the other gets 412.
  const base = (await owner.get(T)).headers.get('etag') as string;
  const race = await Promise.all([
    owner.req('PATCH', T, { title: 'Mine' }, { 'if-match': base }),
    bob.client.req('PATCH', T, { title: 'Yours' }, { 'if-match': base }),
  ]);
  assert.deepEqual(race.map((r) => r.status).sort(), [200, 412]);
  const winner = race.find((r) => r.status === 200)?.body.title;
  assert.equal((await owner.get(T)).body.title, winner);

  // List items carry the version (the ETag without a GET per task).
  const list = await owner.get(`${P}/tasks?q=${t.key}`);
  assert.equal(list.body.items[0].version, (await owner.get(T)).body.version);
  // A move keeps the version counting.
  const moved = await owner.post(`${T}/move`, { stateId: sid(1) });
  assert.equal(moved.body.version, list.body.items[0].version + 1);
});

test('OpenAPI documents If-Match, ETag and 412 on task writes', async () => {
  const doc = (await owner.get('/api/v1/openapi.json')).body;
  const patch = doc.paths['/api/v1/projects/{project}/tasks/{task}'].patch;
  assert.ok(patch.parameters.some((p: { name: string }) => p.name === 'If-Match'));
  assert.ok(patch.responses['412']);
  assert.ok(patch.responses['200'].headers.ETag);
  assert.ok(doc.paths['/api/v1/projects/{project}/tasks/{task}/assignees'].post);
  assert.ok(doc.paths['/api/v1/projects/{project}/tasks/{task}/labels/{item}'].delete);
});

test('a task stored before versions existed (no version field) is version 0 and takes writes', async () => {
  const t = (await owner.post(`${P}/tasks`, { title: 'Legacy' })).body;
  await Task.collection.updateOne(
    { _id: new Task.base.Types.ObjectId(t.id) },
    { $unset: { version: '' } },
  );
  const T = `${P}/tasks/${t.number}`;
  const g = await owner.get(T);
  assert.equal(g.body.version, 0);
  assert.equal(g.headers.get('etag'), '"0"');
  const p = await owner.req('PATCH', T, { priority: 'high' }, { 'if-match': '"0"' });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.version, 1);
  assert.equal((await owner.post(`${T}/assignees`, { userId: bob.id })).body.version, 2);
});

// The database work of the hot paths, counted with the driver's command events: FerretDB runs
// every command through PostgreSQL and pushes down only top-level equality filters, so an extra
// round trip, or a filter it cannot push down, costs every request (bench/api.ts measures it).
// The counts are what the code needs today; a change that adds a query to these paths has to
// raise them on purpose.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CommandStartedEvent } from 'mongodb';
import {
  ADMIN,
  Client,
  dbCommands,
  describeCommands,
  startHarness,
  userClient,
  type Harness,
} from './helpers.ts';

let h: Harness;
let root: Client;
const P = '/api/v1/projects/RT';
before(async () => {
  h = await startHarness('roundtrips');
  root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal(
    (await root.post('/api/v1/projects', { key: 'RT', name: 'Round trips' })).status,
    201,
  );
  for (let i = 0; i < 3; i++)
    assert.equal((await root.post(`${P}/tasks`, { title: `seed ${i}` })).status, 201);
});
after(async () => {
  await h.close();
});

/** Finds whose filter is a `$in` on `_id`: FerretDB reads the whole collection for those. */
const unindexedIdFinds = (cs: CommandStartedEvent[]) =>
  cs.filter((c) => {
    const filter = (c.command as { filter?: { _id?: unknown; taskId?: unknown } }).filter;
    const inOf = (v: unknown) => typeof v === 'object' && v !== null && '$in' in v;
    return c.commandName === 'find' && (inOf(filter?._id) || inOf(filter?.taskId));
  });

test('creating a task: 11 commands, none reading a whole collection for one id', async () => {
  const cs = await dbCommands(async () => {
    assert.equal((await root.post(`${P}/tasks`, { title: 'counted' })).status, 201);
  });
  // access (project, membership), first state, last rank, number, insert, activity, search
  // entry (task, comments, upsert), webhooks of the project.
  assert.equal(cs.length, 11, describeCommands(cs));
  assert.deepEqual(unindexedIdFinds(cs), [], describeCommands(cs));
});

test('a cached board and list send no command once the access is cached', async () => {
  const ann = await userClient(h, root, 'Ann');
  assert.equal((await root.post(`${P}/members`, { userId: ann.id, role: 'viewer' })).status, 201);
  for (const c of [root, ann.client])
    for (const path of [`${P}/board`, `${P}/tasks?priority=medium`]) {
      // The first read checks access in MongoDB (project, membership) and caches it.
      assert.equal((await c.get(path)).status, 200);
      const cs = await dbCommands(async () => assert.equal((await c.get(path)).status, 200));
      assert.equal(cs.length, 0, `${path}: ${describeCommands(cs)}`);
    }
  // By project id as well as by key: the same cached access.
  const id = (await root.get(P)).body.id as string;
  const byId = `/api/v1/projects/${id}/board`;
  const cs = await dbCommands(async () => assert.equal((await ann.client.get(byId)).status, 200));
  assert.equal(cs.length, 0, describeCommands(cs));
});

test('after a write to the project, its next read checks access in MongoDB again', async () => {
  assert.equal((await root.get(`${P}/board`)).status, 200);
  assert.equal((await root.post(`${P}/tasks`, { title: 'bumps' })).status, 201);
  const cs = await dbCommands(async () => assert.equal((await root.get(`${P}/board`)).status, 200));
  // access (project, membership), then the board itself (states, tasks).
  assert.deepEqual(
    cs.map((c) => String(c.command[c.commandName])),
    ['projects', 'memberships', 'states', 'tasks'],
    describeCommands(cs),
  );
});

test('an uncached list filters on projectId at the top level (pushed down by FerretDB)', async () => {
  // Creating a task bumps the cache version: the next list is read from the database.
  assert.equal((await root.post(`${P}/tasks`, { title: 'bump' })).status, 201);
  const cs = await dbCommands(async () =>
    assert.equal((await root.get(`${P}/tasks?priority=medium,high`)).status, 200),
  );
  const taskFind = cs.find((c) => c.commandName === 'find' && c.command.find === 'tasks');
  assert.ok(taskFind, describeCommands(cs));
  const filter = (taskFind.command as { filter: Record<string, unknown> }).filter;
  assert.ok(filter.projectId, `projectId at the top level: ${JSON.stringify(filter)}`);
});

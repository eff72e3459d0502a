// Import/export against the real services: export (JSON, CSV) → import into new projects
// round-trips tasks, labels, states and comments; the dry run creates nothing; the apply is
// idempotent and heard on the event bus; limits (413), malformed CSV (400 with the line),
// unknown formats (400) and permissions (403) with production defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Activity } from '../src/activity/model.ts';
import type { ProjectEvent } from '../src/events/bus.ts';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let admin: Client;
let member: Client;
let grace: { id: string; email: string };
const events: ProjectEvent[] = [];
const API = '/api/v1/projects';
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/transfer/${name}`, import.meta.url));

// Raw upload of a file (the importer's body is the file itself).
const upload = (
  c: Client,
  project: string,
  body: Uint8Array | string,
  query = '',
  type = 'application/octet-stream',
) => c.req('POST', `${API}/${project}/imports${query}`, body, { 'content-type': type });

async function newProject(key: string) {
  const r = await admin.post(API, { key, name: `Project ${key}` });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

async function boardOf(key: string) {
  const r = await admin.get(`${API}/${key}/board`);
  assert.equal(r.status, 200);
  return r.body.columns as {
    state: { name: string; category: string };
    tasks: Record<string, unknown>[];
  }[];
}

async function tasksOf(key: string) {
  const r = await admin.get(`${API}/${key}/tasks?sort=number&limit=100`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items as Record<string, unknown>[];
}

before(async () => {
  h = await startHarness('transfer');
  h.deps.events.onPublish((e) => {
    events.push(e);
  });
  admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  await newProject('SRC');
  const g = await userClient(h, admin, 'Grace');
  grace = { id: g.id, email: g.email };
  const m = await userClient(h, admin, 'Mel');
  member = m.client;
  assert.equal(
    (await admin.post(`${API}/SRC/members`, { userId: g.id, role: 'member' })).status,
    201,
  );
  assert.equal(
    (await admin.post(`${API}/SRC/members`, { userId: m.id, role: 'member' })).status,
    201,
  );
  const bug = (await admin.post(`${API}/SRC/labels`, { name: 'bug', color: '#ef4444' })).body;
  const ui = (await admin.post(`${API}/SRC/labels`, { name: 'ui, "quoted"', color: '#0ea5e9' }))
    .body;
  const review = (await admin.post(`${API}/SRC/states`, { name: 'In Review', category: 'started' }))
    .body;
  const parent = await admin.post(`${API}/SRC/tasks`, {
    title: '=SUM(1,2) looks like a formula',
    description: 'Line one\nline two, with "quotes"',
    priority: 'high',
    labelIds: [bug.id, ui.id],
    assigneeIds: [grace.id],
    dueDate: '2026-12-24',
    estimate: 3,
    stateId: review.id,
  });
  assert.equal(parent.status, 201, JSON.stringify(parent.body));
  const child = await admin.post(`${API}/SRC/tasks`, {
    title: 'A subtask',
    parentId: parent.body.id,
    stateId: review.id,
  });
  assert.equal(child.status, 201);
  assert.equal((await admin.post(`${API}/SRC/tasks`, { title: 'Plain task' })).status, 201);
  assert.equal(
    (await admin.post(`${API}/SRC/tasks/${parent.body.number}/comments`, { body: 'First comment' }))
      .status,
    201,
  );
  assert.equal(
    (
      await g.client.post(`${API}/SRC/tasks/${parent.body.number}/comments`, {
        body: 'Grace was here',
      })
    ).status,
    201,
  );
  const att = await admin.req(
    'POST',
    `${API}/SRC/tasks/${parent.body.number}/attachments?filename=notes.txt`,
    'hello',
    { 'content-type': 'text/plain' },
  );
  assert.equal(att.status, 201, JSON.stringify(att.body));
});
after(async () => {
  await h.close();
});

test('JSON export: project, states, labels, members by e-mail, tasks with everything', async () => {
  const r = await member.get(`${API}/SRC/export?format=json&activity=true`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.match(
    r.headers.get('content-disposition') ?? '',
    /attachment; filename="SRC-export-\d{4}-\d{2}-\d{2}\.json"/,
  );
  const x = r.body;
  assert.equal(x.format, 'pms-export');
  assert.equal(x.project.key, 'SRC');
  assert.ok(x.states.some((s: { name: string }) => s.name === 'In Review'));
  assert.deepEqual(
    x.members.map((m: { email: string }) => m.email).sort(),
    [ADMIN.email, grace.email, 'mel@example.com'].sort(),
  );
  assert.equal(x.tasks.length, 3);
  const [p, c] = x.tasks;
  assert.equal(p.key, 'SRC-1');
  assert.deepEqual(p.labels.sort(), ['bug', 'ui, "quoted"']);
  assert.deepEqual(p.assignees, [grace.email]);
  assert.equal(p.state, 'In Review');
  assert.equal(p.dueDate, '2026-12-24T00:00:00.000Z');
  assert.deepEqual(
    p.comments.map((k: { author: string; body: string }) => [k.author, k.body]),
    [
      [ADMIN.email, 'First comment'],
      [grace.email, 'Grace was here'],
    ],
  );
  assert.equal(p.attachments[0].filename, 'notes.txt');
  assert.equal(
    p.attachments[0].downloadPath,
    `/api/v1/projects/SRC/attachments/${p.attachments[0].id}/download`,
  );
  const dl = await member.get(p.attachments[0].downloadPath);
  assert.equal(dl.status, 200);
  assert.equal(c.parent, 'SRC-1');
  assert.ok(x.activity.some((a: { action: string }) => a.action === 'comment.created'));
});

test('CSV export: header, RFC 4180 quoting, formula guard, BOM', async () => {
  const res = await fetch(`${h.url}${API}/SRC/export?format=csv`, {
    headers: { authorization: `Bearer ${member.token}` },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  const text = await res.text();
  // fetch's text() drops the BOM; the bytes carry it.
  const lines = text.split('\r\n');
  assert.equal(
    lines[0],
    'Key,Title,Description,State,Priority,Assignees,Labels,Due date,Estimate,Parent,Created by,Created at,Updated at',
  );
  assert.ok(
    text.includes(
      `SRC-1,"'=SUM(1,2) looks like a formula","Line one\nline two, with ""quotes""",In Review,high,${grace.email},"bug; ui, ""quoted""",2026-12-24,3,,${ADMIN.email},`,
    ),
    text,
  );
  const raw = new Uint8Array(
    await (
      await fetch(`${h.url}${API}/SRC/export?format=csv`, {
        headers: { authorization: `Bearer ${member.token}` },
      })
    ).arrayBuffer(),
  );
  assert.deepEqual([...raw.slice(0, 3)], [0xef, 0xbb, 0xbf]);
});

test('JSON export → import into a new project: dry run creates nothing, apply round-trips', async () => {
  await newProject('DST');
  const exported = (await admin.get(`${API}/SRC/export?format=json`)).body;
  const body = JSON.stringify(exported);
  const before = events.length;
  const preview = await upload(admin, 'DST', body, '', 'application/json');
  assert.equal(preview.status, 201, JSON.stringify(preview.body));
  assert.equal(preview.body.format, 'pms-json');
  assert.deepEqual(preview.body.counts, {
    tasks: 3,
    subtasks: 1,
    comments: 2,
    states: 1,
    labels: 2,
    members: 2,
    unmapped: 1,
  });
  assert.deepEqual(preview.body.create.members.map((m: { email: string }) => m.email).sort(), [
    grace.email,
    'mel@example.com',
  ]);
  assert.match(preview.body.unmapped[0].reason, /attachment is not copied.*notes\.txt/);
  assert.equal(preview.body.sample[0].title, '=SUM(1,2) looks like a formula');
  // The dry run created nothing and told nobody.
  assert.equal((await tasksOf('DST')).length, 0);
  assert.equal((await admin.get(`${API}/DST/labels`)).body.items.length, 0);
  assert.equal((await admin.get(`${API}/DST/members`)).body.items.length, 1);
  assert.equal((await boardOf('DST')).length, 5);
  assert.equal(events.length, before);

  const applied = await admin.post(`${API}/DST/imports/${preview.body.importId}/apply`);
  assert.equal(applied.status, 200, JSON.stringify(applied.body));
  assert.equal(applied.body.status, 'applied');
  assert.equal(applied.body.result.tasks, 3);
  assert.equal(applied.body.result.comments, 2);

  const src = (await admin.get(`${API}/SRC/export?format=json`)).body;
  const dst = (await admin.get(`${API}/DST/export?format=json`)).body;
  const shape = (x: typeof src) =>
    x.tasks.map((t: Record<string, unknown> & { comments: Record<string, unknown>[] }) => ({
      key: String(t.key).replace(/^[A-Z]+-/, ''),
      title: t.title,
      description: t.description,
      state: t.state,
      priority: t.priority,
      assignees: t.assignees,
      labels: (t.labels as string[]).sort(),
      dueDate: t.dueDate,
      estimate: t.estimate,
      parent: t.parent ? String(t.parent).replace(/^[A-Z]+-/, '') : null,
      createdAt: t.createdAt,
      comments: t.comments.map((c) => [c.author, c.authorName, c.body, c.createdAt]),
    }));
  assert.deepEqual(shape(dst), shape(src));
  assert.deepEqual(
    dst.labels.map((l: { name: string; color: string }) => [l.name, l.color]),
    src.labels.map((l: { name: string; color: string }) => [l.name, l.color]),
  );
  assert.deepEqual(
    dst.states.map((s: { name: string; category: string }) => [s.name, s.category]),
    src.states.map((s: { name: string; category: string }) => [s.name, s.category]),
  );
  assert.deepEqual(
    dst.members.map((m: { email: string; role: string }) => `${m.email}:${m.role}`).sort(),
    [`${ADMIN.email}:owner`, `${grace.email}:member`, 'mel@example.com:member'],
  );
  // Heard on the event bus like any other change: one task.created per task.
  const mine = events.slice(before).filter((e) => e.type === 'task.created');
  assert.equal(mine.length, 3);
  assert.ok(events.slice(before).some((e) => e.type === 'task.imported'));
  assert.ok(events.slice(before).some((e) => e.type === 'member.added'));

  // A second submit of the same import returns the first result and creates nothing.
  const again = await admin.post(`${API}/DST/imports/${preview.body.importId}/apply`);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, applied.body);
  assert.equal((await tasksOf('DST')).length, 3);
  const status = await admin.get(`${API}/DST/imports/${preview.body.importId}`);
  assert.equal(status.body.status, 'applied');
});

test('a large import publishes one task.imported, keeps per-task history and indexes search', async () => {
  await newProject('BULK');
  const n = 150;
  const rows = `Title,Status\n${Array.from({ length: n }, (_, i) => `Zebrafish ${i},${i % 2 ? 'Done' : 'Todo'}`).join('\n')}\n`;
  const preview = await upload(admin, 'BULK', rows, '', 'text/csv');
  assert.equal(preview.status, 201, JSON.stringify(preview.body));
  const before = events.length;
  const applied = await admin.post(`${API}/BULK/imports/${preview.body.importId}/apply`);
  assert.equal(applied.status, 200, JSON.stringify(applied.body));
  assert.equal(applied.body.result.tasks, n);
  const heard = events.slice(before).map((e) => e.type);
  assert.deepEqual(heard, ['task.imported']);
  const pid = (await admin.get(`${API}/BULK`)).body.id;
  assert.equal(await Activity.countDocuments({ projectId: pid, action: 'task.created' }), n);
  const found = await admin.get('/api/v1/search?q=zebrafish&limit=5');
  assert.equal(found.status, 200, JSON.stringify(found.body));
  assert.equal(found.body.items.length, 5);
  const board = await boardOf('BULK');
  assert.equal(board.find((c) => c.state.name === 'Done')?.tasks.length, n / 2);
});

test('two applies at once: one import, created once', async () => {
  await newProject('TWICE');
  const preview = await upload(admin, 'TWICE', fixture('generic.csv'), '?format=csv');
  assert.equal(preview.status, 201, JSON.stringify(preview.body));
  const path = `${API}/TWICE/imports/${preview.body.importId}/apply`;
  const [a, b] = await Promise.all([admin.post(path), admin.post(path)]);
  const statuses = [a.status, b.status].sort();
  assert.ok(
    JSON.stringify(statuses) === '[200,200]' || JSON.stringify(statuses) === '[200,409]',
    JSON.stringify([a.body, b.body]),
  );
  assert.equal((await tasksOf('TWICE')).length, 3);
});

test('CSV export → import into a new project keeps tasks, states, labels, parents', async () => {
  await newProject('CSVD');
  const csv = await (
    await fetch(`${h.url}${API}/SRC/export?format=csv`, {
      headers: { authorization: `Bearer ${admin.token}` },
    })
  ).arrayBuffer();
  const preview = await upload(admin, 'CSVD', new Uint8Array(csv), '', 'text/csv');
  assert.equal(preview.status, 201, JSON.stringify(preview.body));
  assert.equal(preview.body.format, 'csv');
  assert.deepEqual(preview.body.unmapped, []);
  assert.equal(preview.body.mapping.title, 'Title');
  const applied = await admin.post(`${API}/CSVD/imports/${preview.body.importId}/apply`);
  assert.equal(applied.status, 200, JSON.stringify(applied.body));
  const tasks = await tasksOf('CSVD');
  const labels = (await admin.get(`${API}/CSVD/labels`)).body.items as {
    id: string;
    name: string;
  }[];
  const first = tasks.find((t) => t.number === 1);
  assert.equal(first?.title, '=SUM(1,2) looks like a formula');
  assert.equal(first?.description, 'Line one\nline two, with "quotes"');
  assert.deepEqual(
    (first?.labelIds as string[]).map((id) => labels.find((l) => l.id === id)?.name).sort(),
    ['bug', 'ui, "quoted"'],
  );
  assert.deepEqual(first?.assigneeIds, [grace.id]);
  assert.equal(tasks.find((t) => t.number === 2)?.parentId, first?.id);
  const board = await boardOf('CSVD');
  assert.deepEqual(
    board.find((c) => c.state.name === 'In Review')?.tasks.map((t) => t.number),
    [1, 2],
  );
});

test('a generic CSV with a column mapping; the unmapped report names row and reason', async () => {
  await newProject('GEN');
  const preview = await upload(
    admin,
    'GEN',
    fixture('generic.csv'),
    `?format=csv&mapping=${encodeURIComponent(JSON.stringify({ description: 'Sprint' }))}`,
    'text/csv',
  );
  assert.equal(preview.status, 201, JSON.stringify(preview.body));
  assert.deepEqual(preview.body.columns.slice(0, 3), ['Issue key', 'Summary', 'Status']);
  const reasons = preview.body.unmapped.map(
    (u: { where: string; field?: string }) => `${u.where} ${u.field ?? ''}`,
  );
  assert.deepEqual(reasons, ['line 3 dueDate', 'line 3 estimate', 'line 5 assignees']);
  // Status "To Do" is the project's "Todo", "In Progress" exists: no new states.
  assert.deepEqual(preview.body.create.states, []);
  const applied = await admin.post(`${API}/GEN/imports/${preview.body.importId}/apply`);
  assert.equal(applied.status, 200);
  const tasks = await tasksOf('GEN');
  assert.equal(tasks[0]?.priority, 'urgent');
  assert.equal(tasks[0]?.description, 'Sprint 4');
  assert.equal(tasks[2]?.title, '=HYPERLINK("http://x")');
});

test('Trello board JSON: preview with what cannot be mapped, then the board', async () => {
  await newProject('TRL');
  const preview = await upload(admin, 'TRL', fixture('trello-board.json'), '', 'application/json');
  assert.equal(preview.status, 201, JSON.stringify(preview.body));
  assert.equal(preview.body.format, 'trello');
  assert.equal(preview.body.counts.tasks, 6);
  assert.equal(preview.body.counts.subtasks, 2);
  const where = preview.body.unmapped.map((u: { where: string }) => u.where);
  assert.ok(where.includes('list "Old ideas"'));
  assert.ok(where.includes('card "Old banner"'));
  const applied = await admin.post(`${API}/TRL/imports/${preview.body.importId}/apply`);
  assert.equal(applied.status, 200, JSON.stringify(applied.body));
  const board = await boardOf('TRL');
  const col = (name: string) => board.find((c) => c.state.name === name)?.tasks.map((t) => t.title);
  assert.deepEqual(col('Todo'), [
    'Write the launch post',
    'Fix the login redirect',
    'Fix the redirect target',
  ]);
  assert.deepEqual(col('Doing'), ['New colour palette']);
  assert.deepEqual(col('Done'), ['Write a failing test', 'Set up analytics']);
  const fix = (await tasksOf('TRL')).find((t) => t.title === 'Fix the login redirect');
  const comments = await admin.get(`${API}/TRL/tasks/${fix?.number}/comments`);
  assert.deepEqual(
    comments.body.items.map((c: { authorName: string; body: string }) => [c.authorName, c.body]),
    [
      ['Ada Admin', 'Reported by two customers.'],
      ['Grace Hopper', 'I can reproduce it on Safari.'],
    ],
  );
});

test('limits: a file over IMPORT_MAX_BYTES (5 MiB) is 413 naming the limit; too many rows 413', async () => {
  const big = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x61);
  const r = await upload(admin, 'SRC', big, '?format=csv', 'text/csv');
  assert.equal(r.status, 413, JSON.stringify(r.body));
  assert.equal(r.body.error, 'payload_too_large');
  assert.match(r.body.message, /5 MiB.*IMPORT_MAX_BYTES/);
  // Same through the JSON content type (no 1 MB JSON body-parser limit on this path).
  const json = await upload(admin, 'SRC', big, '', 'application/json');
  assert.equal(json.status, 413);
  assert.match(json.body.message, /5 MiB/);

  const rows = `Title\n${Array.from({ length: 2001 }, (_, i) => `Task ${i}`).join('\n')}\n`;
  const many = await upload(admin, 'SRC', rows, '?format=csv', 'text/csv');
  assert.equal(many.status, 413);
  assert.match(many.body.message, /2001 tasks.*at most 2000 \(IMPORT_MAX_ROWS\)/);
});

test('malformed CSV is 400 naming the line; unknown formats are 400', async () => {
  const unbalanced = await upload(
    admin,
    'SRC',
    'Title,State\nok,Todo\n"broken,Todo\nx,y\n',
    '?format=csv',
  );
  assert.equal(unbalanced.status, 400);
  assert.match(unbalanced.body.message, /Malformed CSV at line 3/);
  assert.equal(unbalanced.body.details[0].path, 'body.line.3');
  const columns = await upload(admin, 'SRC', 'Title,State\nok,Todo\nx,y,z\n');
  assert.equal(columns.status, 400);
  assert.match(columns.body.message, /line 3: expected 2 fields/);
  const unknown = await upload(admin, 'SRC', '{"some": "json"}');
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.message, /Unknown import format/);
  const badFormat = await upload(admin, 'SRC', 'Title\nx\n', '?format=jira');
  assert.equal(badFormat.status, 400);
  assert.equal(badFormat.body.details[0].path, 'query.format');
  const badMapping = await upload(admin, 'SRC', 'Title\nx\n', '?mapping=%7Bnope');
  assert.equal(badMapping.status, 400);
  assert.equal(badMapping.body.details[0].path, 'query.mapping');
});

test('only project admins import (403); members export; outsiders get 404', async () => {
  const denied = await upload(member, 'SRC', 'Title\nx\n');
  assert.equal(denied.status, 403);
  const preview = await upload(admin, 'SRC', 'Title\nfrom admin\n');
  assert.equal(preview.status, 201);
  const apply = await member.post(`${API}/SRC/imports/${preview.body.importId}/apply`);
  assert.equal(apply.status, 403);
  assert.equal((await member.get(`${API}/SRC/export?format=csv`)).status, 200);
  const outsider = (await userClient(h, admin, 'Otto')).client;
  assert.equal((await outsider.get(`${API}/SRC/export`)).status, 404);
  // An import id of another project is not found here.
  await newProject('OTHER');
  assert.equal(
    (await admin.post(`${API}/OTHER/imports/${preview.body.importId}/apply`)).status,
    404,
  );
});

test('the OpenAPI document lists the import/export operations', async () => {
  const doc = (await admin.get('/api/v1/openapi.json')).body;
  assert.ok(doc.paths['/api/v1/projects/{project}/export']?.get);
  assert.ok(doc.paths['/api/v1/projects/{project}/imports']?.post);
  assert.ok(doc.paths['/api/v1/projects/{project}/imports/{importId}/apply']?.post);
});

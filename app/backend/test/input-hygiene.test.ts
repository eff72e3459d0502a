// Strict dates, control/bidi characters in titles and names, and a user directory limited to
// what a member needs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let root: Client;
const P = '/api/v1/projects/HYG';
before(async () => {
  h = await startHarness('hygiene');
  root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await root.post('/api/v1/projects', { key: 'HYG', name: 'Hygiene' })).status, 201);
});
after(async () => {
  await h.close();
});

test('impossible dates are rejected with 400 naming the field', async () => {
  const bad = await root.post(`${P}/tasks`, { title: 'x', dueDate: '2026-02-31' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'validation_error');
  assert.deepEqual(
    bad.body.details.map((d: { path: string }) => d.path),
    ['body.dueDate'],
  );
  for (const d of ['2026-13-01', '2026-04-31', '2025-02-29', '2026-01-01T24:00:00Z'])
    assert.equal((await root.post(`${P}/tasks`, { title: 'x', dueDate: d })).status, 400, d);
  const ok = await root.post(`${P}/tasks`, { title: 'leap', dueDate: '2028-02-29' });
  assert.equal(ok.status, 201);
  assert.match(ok.body.dueDate, /^2028-02-29/);
  const patch = await root.patch(`${P}/tasks/${ok.body.number}`, { dueDate: '2026-02-30' });
  assert.equal(patch.status, 400);
  assert.equal(patch.body.details[0].path, 'body.dueDate');
  const q = await root.get(`${P}/tasks?dueBefore=2026-06-31`);
  assert.equal(q.status, 400);
  assert.equal(q.body.details[0].path, 'query.dueBefore');
});

test('NUL, controls and bidi overrides are stripped from titles and names', async () => {
  const t = await root.post(`${P}/tasks`, {
    title: 'Pay\u0000 invoice \u202Egnp.exe\u202C\u2066 now\u2069\u0007',
  });
  assert.equal(t.status, 201);
  assert.equal(t.body.title, 'Pay invoice gnp.exe now');
  const empty = await root.post(`${P}/tasks`, { title: '\u202E\u0000 ' });
  assert.equal(empty.status, 400);
  assert.equal(empty.body.details[0].path, 'body.title');
  const u = await root.post('/api/v1/users', {
    name: 'Eve\u202E nimda',
    email: 'eve-bidi@example.com',
    password: 'password-123',
  });
  assert.equal(u.status, 201);
  assert.equal(u.body.name, 'Eve nimda');
  const label = await root.post(`${P}/labels`, { name: 'bug\u0000\u2067', color: '#ff0000' });
  assert.equal(label.status, 201);
  assert.equal(label.body.name, 'bug');
  const proj = await root.patch(P, { name: 'Hy\u202Dgiene' });
  assert.equal(proj.status, 200);
  assert.equal(proj.body.name, 'Hygiene');
});

test('members see users who share a project, not every e-mail', async () => {
  const ann = await userClient(h, root, 'Ann');
  const bob = await userClient(h, root, 'Bob');
  const carl = await userClient(h, root, 'Carl');
  for (const u of [ann, bob])
    assert.equal((await root.post(`${P}/members`, { userId: u.id, role: 'member' })).status, 201);

  const emails = (r: { body: { items: { email: string }[] } }) =>
    r.body.items.map((u) => u.email).sort();
  const seen = await ann.client.get('/api/v1/users');
  assert.equal(seen.status, 200);
  assert.deepEqual(emails(seen), [ADMIN.email, ann.email, bob.email].sort());
  assert.deepEqual(emails(await ann.client.get('/api/v1/users?q=carl')), []);
  assert.deepEqual(
    emails(await ann.client.get('/api/v1/users?q=example.com')).includes(carl.email),
    false,
  );
  // A full address finds the colleague (adding a member by e-mail).
  assert.deepEqual(emails(await ann.client.get(`/api/v1/users?q=${carl.email}`)), [carl.email]);
  assert.equal((await ann.client.get(`/api/v1/users/${carl.id}`)).status, 404);
  assert.equal((await ann.client.get(`/api/v1/users/${bob.id}`)).status, 200);
  // Carl shares no project: he sees only himself.
  assert.deepEqual(emails(await carl.client.get('/api/v1/users')), [carl.email]);
  // Admins see everyone.
  assert.ok(emails(await root.get('/api/v1/users?limit=100')).includes(carl.email));
});

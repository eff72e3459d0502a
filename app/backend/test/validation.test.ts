// Bad requests (400 with the right path), operator injection, error shape, security headers,
// CORS allow-list, metrics and the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Client, startHarness, type Harness } from './helpers.ts';

let h: Harness;
let c: Client;
let taskNo: number;
let stateId: string;
const P = '/api/v1/projects/VAL';

before(async () => {
  h = await startHarness('validation', {
    CORS_ORIGINS: 'https://app.example.com',
    FRONTEND_URL: 'https://pms.example.com',
  });
  c = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await c.post('/api/v1/projects', { key: 'VAL', name: 'Validation' })).status, 201);
  const t = await c.post(`${P}/tasks`, { title: 'target' });
  taskNo = t.body.number;
  stateId = t.body.stateId;
});
after(async () => {
  await h.close();
});

const id = '0123456789abcdef01234567';
const long = (n: number) => 'x'.repeat(n);

// [method, path, body, expected detail path]
const BAD: [string, string, unknown, string][] = [
  ['POST', '/api/v1/auth/login', { password: 'x' }, 'body.email'],
  ['POST', '/api/v1/auth/login', { email: 'not-an-email', password: 'x' }, 'body.email'],
  ['POST', '/api/v1/auth/login', { email: 'a@b.co' }, 'body.password'],
  ['POST', '/api/v1/auth/login', { email: 'a@b.co', password: 42 }, 'body.password'],
  [
    'POST',
    '/api/v1/auth/password',
    { currentPassword: 'x', newPassword: 'short' },
    'body.newPassword',
  ],
  [
    'POST',
    '/api/v1/users',
    { name: 'N', email: 'n@example.com', password: 'password-1', role: 'god' },
    'body.role',
  ],
  [
    'POST',
    '/api/v1/users',
    { name: '', email: 'n@example.com', password: 'password-1' },
    'body.name',
  ],
  ['GET', '/api/v1/users/not-an-id', undefined, 'params.id'],
  ['GET', '/api/v1/users?limit=1000', undefined, 'query.limit'],
  ['POST', '/api/v1/tokens', { name: 'x', expiresInDays: 0 }, 'body.expiresInDays'],
  ['POST', '/api/v1/projects', { key: '1ABC', name: 'x' }, 'body.key'],
  ['POST', '/api/v1/projects', { key: 'TOOLONGKEY123', name: 'x' }, 'body.key'],
  ['POST', '/api/v1/projects', { key: 'OK' }, 'body.name'],
  ['PATCH', P, { archived: 'yes' }, 'body.archived'],
  ['PATCH', P, { unknownField: 1 }, 'body'],
  ['POST', `${P}/members`, { userId: 'abc', role: 'member' }, 'body.userId'],
  ['POST', `${P}/members`, { userId: id, role: 'boss' }, 'body.role'],
  ['POST', `${P}/states`, { name: 'QA', category: 'doing' }, 'body.category'],
  ['POST', `${P}/labels`, { name: 'x', color: 'red' }, 'body.color'],
  ['POST', `${P}/tasks`, {}, 'body.title'],
  ['POST', `${P}/tasks`, { title: long(301) }, 'body.title'],
  ['POST', `${P}/tasks`, { title: 'x', priority: 'asap' }, 'body.priority'],
  ['POST', `${P}/tasks`, { title: 'x', dueDate: '2026-13-45' }, 'body.dueDate'],
  ['POST', `${P}/tasks`, { title: 'x', estimate: -1 }, 'body.estimate'],
  ['POST', `${P}/tasks`, { title: 'x', assigneeIds: ['nope'] }, 'body.assigneeIds.0'],
  ['POST', `${P}/tasks`, { title: 'x', labelIds: 'abc' }, 'body.labelIds'],
  ['PATCH', `${P}/tasks/${1}`, { stateId: 'zz' }, 'body.stateId'],
  ['GET', `${P}/tasks/abc`, undefined, 'params.task'],
  ['GET', `${P}/tasks?priority=extreme`, undefined, 'query.priority.0'],
  ['GET', `${P}/tasks?sort=random`, undefined, 'query.sort'],
  ['GET', `${P}/tasks?limit=0`, undefined, 'query.limit'],
  ['GET', `${P}/tasks?dueBefore=yesterday`, undefined, 'query.dueBefore'],
  ['GET', `${P}/tasks?state=xyz`, undefined, 'query.state.0'],
  ['GET', `${P}/tasks?cursor=garbage`, undefined, 'query.cursor'],
  ['POST', `${P}/tasks/1/move`, { index: 0 }, 'body.stateId'],
  ['POST', `${P}/tasks/1/move`, { stateId: id, index: -1 }, 'body.index'],
  ['POST', `${P}/tasks/1/comments`, { body: '' }, 'body.body'],
  [
    'POST',
    `${P}/tasks/1/attachments/presign`,
    { filename: 'a.png', contentType: 'image/png' },
    'body.size',
  ],
  ['GET', '/api/v1/notifications?unread=maybe', undefined, 'query.unread'],
];

test(`a table of ${BAD.length} bad requests answers 400 with the right path`, async () => {
  assert.ok(BAD.length >= 25);
  for (const [method, path, body, detail] of BAD) {
    const r = await c.req(method, path.replace('/tasks/1', `/tasks/${taskNo}`), body);
    assert.equal(r.status, 400, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.ok(['validation_error', 'bad_request'].includes(r.body.error), `${method} ${path}`);
    assert.equal(typeof r.body.message, 'string');
    const paths = (r.body.details ?? []).map((d: { path: string }) => d.path);
    assert.ok(
      paths.includes(detail),
      `${method} ${path}: expected ${detail} in ${JSON.stringify(paths)}`,
    );
  }
});

test('every validation problem is reported at once', async () => {
  const r = await c.post(`${P}/tasks`, { title: '', priority: 'x', estimate: 'big' });
  assert.deepEqual(r.body.details.map((d: { path: string }) => d.path).sort(), [
    'body.estimate',
    'body.priority',
    'body.title',
  ]);
});

test('NoSQL operator injection is refused in bodies and query strings', async () => {
  const attempts: [string, string, unknown][] = [
    ['POST', '/api/v1/auth/login', { email: { $gt: '' }, password: { $gt: '' } }],
    ['POST', '/api/v1/auth/login', { email: 'admin@example.com', password: { $ne: null } }],
    ['POST', '/api/v1/auth/login', { $where: 'sleep(1000)', email: 'a@b.co', password: 'x' }],
    ['POST', `${P}/tasks`, { title: 'x', 'nested.key': 1 }],
    ['PATCH', `${P}/tasks/${taskNo}`, { description: { $set: { title: 'pwned' } } }],
    ['GET', `${P}/tasks?assignee[$ne]=x`, undefined],
    ['GET', `${P}/tasks?$where=1`, undefined],
    ['GET', `/api/v1/users?q[$regex]=.*`, undefined],
  ];
  for (const [method, path, body] of attempts) {
    const r = await c.req(method, path, body);
    assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)} → ${r.status}`);
  }
  const anon = new Client(h.url);
  const r = await anon.post('/api/v1/auth/login', { email: { $gt: '' }, password: { $gt: '' } });
  assert.equal(r.body.error, 'bad_request');
  assert.match(r.body.details[0].path, /^body\.email\.\$gt$/);
  // The task is untouched.
  assert.equal((await c.get(`${P}/tasks/${taskNo}`)).body.title, 'target');
});

test('malformed JSON, oversized bodies and unknown routes use the one error shape', async () => {
  const bad = await c.req('POST', `${P}/tasks`, '{"title": ', {
    'content-type': 'application/json',
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'bad_request');
  const big = await c.post(`${P}/tasks`, { title: 'x', description: 'y'.repeat(1_100_000) });
  assert.equal(big.status, 413);
  assert.equal(big.body.error, 'payload_too_large');
  const nf = await c.get('/api/v1/nothing-here');
  assert.equal(nf.status, 404);
  assert.deepEqual(Object.keys(nf.body).sort(), ['error', 'message']);
  assert.equal(JSON.stringify(nf.body).includes('at '), false);
  const missing = await c.get(`${P}/tasks/99999`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error, 'not_found');
  void stateId;
});

test('security headers, CORS allow-list and request ids', async () => {
  const r = await fetch(`${h.url}/api/v1/auth/config`, {
    headers: { origin: 'https://app.example.com' },
  });
  assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example.com');
  assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(r.headers.get('content-security-policy'));
  assert.equal(r.headers.get('x-powered-by'), null);
  assert.ok(r.headers.get('x-request-id'));
  const front = await fetch(`${h.url}/api/v1/auth/config`, {
    headers: { origin: 'https://pms.example.com' },
  });
  assert.equal(front.headers.get('access-control-allow-origin'), 'https://pms.example.com');
  const evil = await fetch(`${h.url}/api/v1/auth/config`, {
    headers: { origin: 'https://evil.example.com' },
  });
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  const echoed = await fetch(`${h.url}/health`, { headers: { 'x-request-id': 'abc-123' } });
  assert.equal(echoed.headers.get('x-request-id'), 'abc-123');
});

test('metrics, health and the OpenAPI document', async () => {
  await c.get(`${P}/tasks`);
  const m = await (await fetch(`${h.url}/metrics`)).text();
  assert.match(
    m,
    /http_request_duration_seconds_bucket\{[^}]*method="GET"[^}]*route="\/api\/v1\/projects\/:project\/tasks"[^}]*status="200"/,
  );
  assert.match(m, /process_cpu_user_seconds_total/);
  assert.deepEqual(await (await fetch(`${h.url}/health`)).json(), { status: 'ok' });
  const ready = (await c.get('/ready')).body;
  assert.equal(ready.status, 'ready');
  const spec = (await c.get('/api/v1/openapi.json')).body;
  assert.equal(spec.openapi, '3.1.0');
  const create = spec.paths['/api/v1/projects/{project}/tasks'].post;
  assert.ok(create.requestBody.content['application/json'].schema.properties.title);
  assert.ok(spec.paths['/api/v1/projects/{project}/tasks/{task}/move'].post);
  assert.ok(Object.keys(spec.paths).length >= 30);
  const docs = await fetch(`${h.url}/api/docs`);
  assert.equal(docs.status, 200);
  assert.match(await docs.text(), /openapi\.json/);
});

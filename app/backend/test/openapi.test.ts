// The OpenAPI document: every operation that answers JSON declares its response schema, the
// schemas are strict and every $ref resolves, and error responses follow from each operation's
// declaration. (That handlers return what the schemas say is checked by every other integration
// test: in NODE_ENV=test the Api answers 500 on a mismatch, see platform/http.ts.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, startHarness, type Harness } from './helpers.ts';

type Json = Record<string, unknown>;
interface Op {
  method: string;
  path: string;
  op: Json;
}

let h: Harness;
let doc: Json;
let ops: Op[];

before(async () => {
  h = await startHarness('openapi');
  const r = await new Client(h.url).get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  doc = r.body;
  ops = Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, ms]) =>
    Object.entries(ms).map(([method, op]) => ({ method, path, op })),
  );
});
after(async () => {
  await h?.close();
});

const responses = (o: Op) => o.op.responses as Record<string, Json>;
const success = (o: Op) => {
  const [status, r] = Object.entries(responses(o)).find(([s]) => /^2\d\d$/.test(s)) ?? [];
  assert.ok(status && r, `${o.method} ${o.path} has no success response`);
  return { status, r };
};
const name = (o: Op) => `${o.method.toUpperCase()} ${o.path}`;

/** Every sub-schema of a JSON schema (objects, arrays, unions), depth first. */
function* walk(s: unknown, at: string): Generator<[Json, string]> {
  if (!s || typeof s !== 'object') return;
  const js = s as Json;
  yield [js, at];
  for (const [k, v] of Object.entries(js)) {
    if (k === 'properties' && v && typeof v === 'object')
      for (const [p, sub] of Object.entries(v)) yield* walk(sub, `${at}.${p}`);
    else if (k === 'items' || k === 'additionalProperties') yield* walk(v, `${at}[]`);
    else if ((k === 'anyOf' || k === 'oneOf' || k === 'allOf') && Array.isArray(v))
      for (const [i, sub] of v.entries()) yield* walk(sub, `${at}|${i}`);
  }
}

test('every operation that answers JSON declares its response schema', () => {
  assert.ok(ops.length > 80, `only ${ops.length} operations`);
  const missing: string[] = [];
  for (const o of ops) {
    const { status, r } = success(o);
    if (status === '204') {
      assert.equal(r.content, undefined, `${name(o)}: 204 with a body`);
      continue;
    }
    const content = r.content as Record<string, { schema?: Json }> | undefined;
    const schema =
      content?.['application/json']?.schema ?? content?.[Object.keys(content)[0] ?? '']?.schema;
    if (!schema || Object.keys(schema).length === 0) missing.push(name(o));
  }
  assert.deepEqual(missing, [], 'operations without a response schema');
});

test('the main resources are shared components and list pages use them', () => {
  const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
  for (const id of [
    'Task',
    'Project',
    'State',
    'Label',
    'Member',
    'User',
    'Comment',
    'Attachment',
    'Notification',
    'Activity',
    'ApiToken',
    'Webhook',
    'Delivery',
    'Invitation',
    'SearchResult',
    'SavedView',
    'ImportPreview',
    'ImportResult',
    'TaskPage',
    'CommentPage',
    'ActivityPage',
    'Error',
  ])
    assert.ok(schemas[id], `components.schemas.${id}`);
  const task = schemas.Task as { properties: Json; required: string[] };
  assert.deepEqual(Object.keys(task.properties).slice(0, 4), ['id', 'projectId', 'number', 'key']);
  assert.ok(task.required.includes('title'));
  assert.deepEqual((task.properties.priority as Json).enum, [
    'none',
    'low',
    'medium',
    'high',
    'urgent',
  ]);
  const list = ops.find((o) => o.method === 'get' && o.path === '/api/v1/projects/{project}/tasks');
  assert.ok(list);
  const content = success(list).r.content as Record<string, { schema: Json }>;
  assert.deepEqual(content['application/json']?.schema, { $ref: '#/components/schemas/TaskPage' });
  const page = schemas.TaskPage as { properties: Record<string, Json> };
  assert.deepEqual(page.properties.items, {
    type: 'array',
    items: { $ref: '#/components/schemas/Task' },
  });
});

test('response schemas are strict and every $ref resolves', () => {
  const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
  const text = JSON.stringify(doc);
  for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
    assert.ok(schemas[m[1] as string], `dangling $ref ${m[1]}`);
  const loose: string[] = [];
  const check = (s: unknown, at: string) => {
    for (const [sub, where] of walk(s, at))
      if (sub.type === 'object' && sub.properties && sub.additionalProperties !== false)
        loose.push(where);
  };
  for (const [id, s] of Object.entries(schemas)) if (id !== 'Error') check(s, id);
  for (const o of ops) {
    const content = success(o).r.content as Record<string, { schema?: Json }> | undefined;
    check(content?.['application/json']?.schema, name(o));
  }
  assert.deepEqual(loose, [], 'object schemas that allow undeclared fields');
});

test('error responses follow from each declaration', () => {
  const byName = new Map(ops.map((o) => [name(o), o]));
  const errors = (n: string) => {
    const o = byName.get(n);
    assert.ok(o, n);
    return Object.keys(responses(o)).filter((s) => /^[45]\d\d$/.test(s));
  };
  assert.deepEqual(errors('PATCH /api/v1/projects/{project}/tasks/{task}'), [
    '400',
    '401',
    '403',
    '404',
    '412',
    '429',
  ]);
  assert.deepEqual(errors('POST /api/v1/users'), ['400', '401', '403', '409', '429']);
  assert.ok(errors('POST /api/v1/projects/{project}/tasks/{task}/attachments').includes('413'));
  assert.deepEqual(errors('GET /api/v1/auth/config'), ['429']);
  const bad = responses(byName.get('POST /api/v1/projects') as Op)['400'] as Json;
  assert.match(String(bad.description), /details/);
  assert.deepEqual(bad.content, {
    'application/json': { schema: { $ref: '#/components/schemas/Error' } },
  });
  const limited = responses(byName.get('GET /api/v1/projects') as Op)['429'] as Json;
  assert.ok((limited.headers as Json)['Retry-After']);
});

test('streams and files are documented with their media types', () => {
  const events = ops.find((o) => o.path === '/api/v1/projects/{project}/events');
  assert.ok(events);
  assert.deepEqual(Object.keys(success(events).r.content as Json), ['text/event-stream']);
  const exp = ops.find((o) => o.path === '/api/v1/projects/{project}/export');
  assert.ok(exp);
  assert.deepEqual(Object.keys(success(exp).r.content as Json), ['application/json', 'text/csv']);
});

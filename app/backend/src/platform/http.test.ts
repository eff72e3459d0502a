// The response check of the declarative Api: outside production a handler's result must match
// the operation's declared schema (strictly), else 500 naming the operation and the path.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { z } from 'zod';
import { errorHandler } from './errors.ts';
import { Api } from './http.ts';
import { createLogger } from './logger.ts';

const ZThing = z.strictObject({
  id: z.string(),
  at: z.iso.datetime(),
  tags: z.array(z.strictObject({ name: z.string() })),
});

async function serve(checkResponses: boolean, result: unknown, status?: number) {
  const app = express();
  const router = express.Router();
  const api = new Api(router, '/api/v1', { checkResponses });
  api.op(
    {
      method: 'get',
      path: '/things/:id',
      summary: 'A thing',
      tag: 'things',
      auth: 'public',
      response: ZThing,
      ...(status ? { status } : {}),
    },
    async () => result,
  );
  app.use('/api/v1', router);
  app.use(errorHandler({ logger: createLogger('silent'), exposeStack: false }));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const res = await fetch(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/things/1`,
    );
    return {
      status: res.status,
      body: (await res.json().catch(() => null)) as Record<string, unknown>,
    };
  } finally {
    server.close();
  }
}

const good = { id: '1', at: new Date('2026-11-30T12:00:00Z'), tags: [{ name: 'a' }] };

test('a response that matches its schema (dates as sent on the wire) passes', async () => {
  const r = await serve(true, good);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { id: '1', at: '2026-11-30T12:00:00.000Z', tags: [{ name: 'a' }] });
});

test('an undeclared field deep inside is a 500 naming the operation and the path', async () => {
  const r = await serve(true, { ...good, tags: [{ name: 'a', secret: 'x' }] });
  assert.equal(r.status, 500);
  assert.equal(r.body.error, 'internal_error');
  assert.match(String(r.body.message), /GET \/api\/v1\/things\/:id/);
  assert.match(String(r.body.message), /response\.tags\.0: Unrecognized key: "secret"/);
});

test('a wrong type or a missing field is a 500 too', async () => {
  const r = await serve(true, { id: 1, tags: [] });
  assert.equal(r.status, 500);
  assert.match(String(r.body.message), /response\.id: .*string/);
  assert.match(String(r.body.message), /response\.at: /);
});

test('without the check (production) the result is sent as it is', async () => {
  const r = await serve(false, { ...good, extra: true });
  assert.equal(r.status, 200);
  assert.equal(r.body.extra, true);
});

test('a body from an operation documented as 204 is a 500', async () => {
  const r = await serve(true, good, 204);
  assert.equal(r.status, 500);
  assert.match(String(r.body.message), /documented as 204/);
});

// Webhooks end to end: API → event bus → BullMQ (Redis) → worker → a REAL HTTP receiver in this
// process, which checks every signature with its own HMAC code (as a receiver would). Also the
// SSRF guard (at creation and at delivery), retries, the bounded log and the automatic disable.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startWorker } from '../src/jobs/worker.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import {
  Webhook,
  WebhookAutoDisable,
  WebhookDelivery,
  WebhookFailure,
  type TWebhookDoc,
} from '../src/webhooks/model.ts';
import { logAttempt, settleDelivery } from '../src/webhooks/service.ts';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

// The receiver ---------------------------------------------------------------------------------

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

class Receiver {
  readonly requests: Received[] = [];
  readonly server: http.Server;
  private hits = new Map<string, number>();
  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        const n = (this.hits.get(path) ?? 0) + 1;
        this.hits.set(path, n);
        if (path.startsWith('/slow')) return; // never answers: the sender's deadline must fire
        if (path.startsWith('/redirect')) {
          res.writeHead(302, { location: `${this.url}/ok-after-redirect` }).end();
          return;
        }
        const fail = path.startsWith('/down') || (path.startsWith('/flaky') && n <= 2);
        res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain' }).end(fail ? 'no' : 'ok');
      });
    });
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }
  async waitFor(path: string, n: number, timeoutMs = 15_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.at(path).length < n && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const got = this.at(path);
    assert.ok(got.length >= n, `${path}: ${got.length} of ${n} requests arrived`);
    return got;
  }
}

/** The receiver's signature check, written independently of src/webhooks/signing.ts. */
function signatureValid(secret: string, r: Received): boolean {
  const ts = String(r.headers['x-pms-timestamp']);
  const given = String(r.headers['x-pms-signature'] ?? '');
  const want = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
  return (
    fresh && given.length === want.length && timingSafeEqual(Buffer.from(given), Buffer.from(want))
  );
}

const logOpts = { final: true, test: false, logSize: 5 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// Default policy: internal targets refused ------------------------------------------------------

describe('webhooks with the default policy (internal targets refused)', () => {
  let h: Harness;
  let admin: Client;
  let member: Client;
  let outsider: Client;
  const base = '/api/v1/projects/SSRF/webhooks';

  before(async () => {
    h = await startHarness('webhooks-ssrf');
    admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
    const grace = await userClient(h, admin, 'Grace');
    member = grace.client;
    outsider = (await userClient(h, admin, 'Olga')).client;
    assert.equal((await admin.post('/api/v1/projects', { key: 'SSRF', name: 'SSRF' })).status, 201);
    await admin.post('/api/v1/projects/SSRF/members', { userId: grace.id, role: 'member' });
  });
  after(() => h.close());

  test('refuses loopback, private, link-local and hostnames resolving to them (400 on body.url)', async () => {
    const refused: [string, RegExp][] = [
      ['http://127.0.0.1:9/hook', /127\.0\.0\.1 is a loopback address/],
      ['http://10.0.0.5/hook', /10\.0\.0\.5 is a private address/],
      ['http://192.168.1.20/', /private/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
      ['http://[::1]:8080/', /::1 is a loopback address/],
      ['http://[fd00::1]/', /unique-local/],
      ['http://[fe80::1]/', /link-local/],
      ['http://[::ffff:127.0.0.1]/', /loopback/],
      ['http://2130706433/', /127\.0\.0\.1 is a loopback/], // decimal form of 127.0.0.1
      ['http://0.0.0.0/', /unspecified/],
      ['http://localhost:8080/hook', /localhost resolves to .* loopback address/],
    ];
    for (const [url, message] of refused) {
      const r = await admin.post(base, { url });
      assert.equal(r.status, 400, url);
      assert.equal(r.body.error, 'validation_error');
      assert.equal(r.body.details[0].path, 'body.url', url);
      assert.match(r.body.details[0].message, message, url);
      assert.match(r.body.details[0].message, /WEBHOOK_ALLOW_PRIVATE_TARGETS/);
    }
    assert.equal((await admin.get(base)).body.items.length, 0, 'nothing was created');
  });

  test('bad inputs name the field', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ url: 'not a url' }, 'body.url', /absolute http\(s\) URL/],
      [{ url: 'ftp://example.com/x' }, 'body.url', /http or https/],
      [{ url: 'file:///etc/passwd' }, 'body.url', /http or https/],
      [{ url: 'http://user:pw@example.com/' }, 'body.url', /credentials/],
      [
        { url: 'https://8.8.8.8/h', events: ['task.created', 'nope'] },
        'body.events.1',
        /unknown event type/,
      ],
      [{ url: 'https://8.8.8.8/h', events: [] }, 'body.events', /at least one/],
      [{ url: 'https://8.8.8.8/h', secret: 'mine' }, 'body', /secret/],
      [{}, 'body.url', /./],
    ];
    for (const [body, path, message] of cases) {
      const r = await admin.post(base, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      const d = r.body.details.find((x: { path: string }) => x.path === path);
      assert.ok(d, `${JSON.stringify(body)} → ${JSON.stringify(r.body.details)}`);
      assert.match(d.message + JSON.stringify(r.body.details), message);
    }
  });

  test('only project admins manage webhooks; the secret is shown once', async () => {
    // A public IP literal: accepted without DNS; nothing is ever sent to it (no worker here).
    const created = await admin.post(base, {
      url: 'https://8.8.8.8/hook',
      events: ['task.created'],
    });
    assert.equal(created.status, 201);
    assert.match(created.body.secret, /^whsec_/);
    assert.deepEqual(created.body.events, ['task.created']);
    const id = created.body.id;
    const listed = await admin.get(base);
    assert.equal(listed.body.items.length, 1);
    assert.equal(listed.body.items[0].secret, undefined, 'the list never shows the secret');
    assert.equal((await admin.get(`${base}/${id}`)).body.secret, undefined);
    assert.equal(listed.body.delivery.enabled, true);

    assert.equal((await member.get(base)).status, 403);
    assert.equal((await member.post(base, { url: 'https://8.8.8.8/x' })).status, 403);
    assert.equal((await member.patch(`${base}/${id}`, { active: false })).status, 403);
    assert.equal((await member.post(`${base}/${id}/test`)).status, 403);
    assert.equal((await member.post(`${base}/${id}/rotate-secret`)).status, 403);
    assert.equal((await member.get(`${base}/${id}/deliveries`)).status, 403);
    assert.equal((await member.del(`${base}/${id}`)).status, 403);
    assert.equal((await outsider.get(base)).status, 404, 'the project stays hidden');

    const moved = await admin.patch(`${base}/${id}`, { url: 'http://192.168.0.10/' });
    assert.equal(moved.status, 400);
    assert.equal(moved.body.details[0].path, 'body.url');
    const bad = await admin.patch(`${base}/${id}`, { events: ['bogus'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.details[0].path, 'body.events.0');
    assert.equal((await admin.get(`${base}/000000000000000000000000`)).status, 404);
    assert.equal((await admin.get(`${base}/nope`)).status, 400);

    // Every route is in the OpenAPI document, with its body schema.
    const doc = (await admin.get('/api/v1/openapi.json')).body;
    for (const p of [
      '/api/v1/projects/{project}/webhooks',
      '/api/v1/projects/{project}/webhooks/{webhookId}',
      '/api/v1/projects/{project}/webhooks/{webhookId}/rotate-secret',
      '/api/v1/projects/{project}/webhooks/{webhookId}/test',
      '/api/v1/projects/{project}/webhooks/{webhookId}/deliveries',
    ])
      assert.ok(doc.paths[p], p);
    assert.match(
      JSON.stringify(doc.paths['/api/v1/projects/{project}/webhooks'].post),
      /"url".*"events"/,
    );

    const rotated = await admin.post(`${base}/${id}/rotate-secret`);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, created.body.secret);
    assert.equal((await admin.del(`${base}/${id}`)).status, 204);
    assert.equal((await admin.get(base)).body.items.length, 0);

    // At most 20 per project (each event becomes one job per webhook).
    for (let i = 0; i < 20; i++)
      assert.equal((await admin.post(base, { url: `https://8.8.8.8/h${i}` })).status, 201);
    const over = await admin.post(base, { url: 'https://8.8.8.8/h20' });
    assert.equal(over.status, 409);
    assert.match(over.body.message, /at most 20 webhooks/);
  });
});

// Internal targets allowed by an allow-list: deliveries to the local receiver ------------------

describe('webhook deliveries to a real receiver (WEBHOOK_ALLOWED_CIDRS=127.0.0.1/32)', () => {
  let h: Harness;
  let admin: Client;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const rx = new Receiver();
  const overrides = {
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    WEBHOOK_MAX_ATTEMPTS: '3',
    // Short back-off so that the retries fit in a test; the defaults are in the README.
    WEBHOOK_BACKOFF_MS: '150',
    WEBHOOK_DISABLE_AFTER_FAILURES: '2',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_LOG_SIZE: '5',
  };
  let n = 0;
  /** A fresh project, so that every test sees only its own events. */
  async function project(): Promise<string> {
    const key = `WH${++n}`;
    const r = await admin.post('/api/v1/projects', { key, name: `Hooks ${n}` });
    assert.equal(r.status, 201);
    return key;
  }
  const hook = async (key: string, path: string, events: string[] = ['*']) => {
    const r = await admin.post(`/api/v1/projects/${key}/webhooks`, {
      url: `${rx.url}${path}`,
      events,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: string; secret: string };
  };
  const deliveries = async (key: string, id: string) =>
    (await admin.get(`/api/v1/projects/${key}/webhooks/${id}/deliveries`)).body.items as {
      event: string;
      attempt: number;
      ok: boolean;
      final: boolean;
      test: boolean;
      statusCode: number | null;
      error: string | null;
      durationMs: number;
      deliveryId: string;
    }[];

  before(async () => {
    await rx.start();
    h = await startHarness('webhooks', overrides);
    worker = await startWorker(loadConfig(h.env), createLogger('silent'), { ownDb: false });
    admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  });
  after(async () => {
    await worker.close();
    await h.close();
    await rx.close();
  });

  test('an event reaches the receiver signed, with the documented headers and payload', async () => {
    const key = await project();
    const w = await hook(key, '/ok', ['task.created']);
    const t = await admin.post(`/api/v1/projects/${key}/tasks`, { title: 'Hello hooks' });
    assert.equal(t.status, 201);
    const [r] = await rx.waitFor('/ok', 1);
    assert.ok(r);
    assert.ok(signatureValid(w.secret, r), 'the signature verifies with the secret');
    assert.equal(signatureValid('whsec_other', r), false);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-pms-event'], 'task.created');
    assert.match(String(r.headers['x-pms-delivery']), /^[0-9a-f-]{36}$/);
    assert.equal(r.headers['x-pms-attempt'], '1');
    const body = JSON.parse(r.body);
    assert.equal(body.id, r.headers['x-pms-delivery']);
    assert.equal(body.event, 'task.created');
    assert.deepEqual(body.project, { id: body.project.id, key, name: `Hooks ${n}` });
    assert.equal(body.actor.name, 'Ada Admin');
    assert.equal(body.data.taskId, t.body.id);
    // An event type the webhook did not subscribe to is not sent.
    await admin.patch(`/api/v1/projects/${key}/tasks/${t.body.number}`, { priority: 'high' });
    await sleep(1000);
    assert.equal(rx.at('/ok').length, 1);
    const log = await until('the log entry', async () => {
      const l = await deliveries(key, w.id);
      return l.length ? l : null;
    });
    assert.equal(log[0]?.statusCode, 200);
    assert.equal(log[0]?.ok, true);
    assert.equal(log[0]?.final, true);
    assert.equal(log[0]?.deliveryId, body.id);

    // After a rotation the next delivery is signed with the new secret only.
    const rotated = await admin.post(`/api/v1/projects/${key}/webhooks/${w.id}/rotate-secret`);
    await admin.post(`/api/v1/projects/${key}/tasks`, { title: 'Second' });
    const second = (await rx.waitFor('/ok', 2))[1];
    assert.ok(second);
    assert.ok(signatureValid(rotated.body.secret, second));
    assert.equal(signatureValid(w.secret, second), false);
  });

  test('a delivery answered with 500 is retried with back-off until it succeeds', async () => {
    const key = await project();
    const w = await hook(key, '/flaky');
    await admin.post(`/api/v1/projects/${key}/tasks`, { title: 'Flaky' });
    const got = await rx.waitFor('/flaky', 3);
    assert.deepEqual(
      got.map((r) => r.headers['x-pms-attempt']),
      ['1', '2', '3'],
    );
    assert.equal(new Set(got.map((r) => r.headers['x-pms-delivery'])).size, 1, 'one delivery id');
    assert.equal(new Set(got.map((r) => r.body)).size, 1, 'the same body every time');
    for (const r of got) assert.ok(signatureValid(w.secret, r));
    const [a, b, c] = got.map((r) => r.at) as [number, number, number];
    // Exponential: 150 ms, then 300 ms (BullMQ may start a little late, never early).
    assert.ok(b - a >= 140, `first retry after ${b - a} ms`);
    assert.ok(c - b >= 290, `second retry after ${c - b} ms`);
    const log = await until('three log entries', async () => {
      const l = await deliveries(key, w.id);
      return l.length === 3 ? l : null;
    });
    assert.deepEqual(
      log.map((d) => [d.attempt, d.statusCode, d.ok, d.final]),
      [
        [3, 200, true, true],
        [2, 500, false, false],
        [1, 500, false, false],
      ],
    );
    assert.equal(log[2]?.error, 'HTTP 500');
    const after = (await admin.get(`/api/v1/projects/${key}/webhooks/${w.id}`)).body;
    assert.equal(after.active, true);
    assert.equal(after.consecutiveFailures, 0);
    assert.equal(after.lastStatus, 200);
  });

  test('repeated failed deliveries disable the webhook with a reason; re-enabling resets it', async () => {
    const key = await project();
    const w = await hook(key, '/down');
    const base = `/api/v1/projects/${key}/webhooks/${w.id}`;
    await admin.post(`/api/v1/projects/${key}/tasks`, { title: 'One' });
    await rx.waitFor('/down', 3);
    await until('the first failed delivery counted', async () => {
      const s = (await admin.get(base)).body;
      return s.consecutiveFailures === 1 ? s : null;
    });
    assert.equal((await admin.get(base)).body.active, true, 'one failed delivery is not enough');
    await admin.post(`/api/v1/projects/${key}/tasks`, { title: 'Two' });
    const off = await until('the automatic disable', async () => {
      const s = (await admin.get(base)).body;
      return s.active === false ? s : null;
    });
    assert.equal(rx.at('/down').length, 6, 'two deliveries of three attempts');
    assert.match(
      off.disabledReason,
      /Disabled automatically after 2 consecutive failed deliveries \(last error: HTTP 500\)/,
    );
    assert.ok(off.disabledAt);
    // The log is bounded (WEBHOOK_LOG_SIZE=5): the oldest of six attempts is gone.
    const log = await deliveries(key, w.id);
    assert.equal(log.length, 5);
    assert.ok(log.every((d) => d.statusCode === 500 && !d.ok));
    // Disabled: new events are not sent.
    await admin.post(`/api/v1/projects/${key}/tasks`, { title: 'Three' });
    await sleep(800);
    assert.equal(rx.at('/down').length, 6);
    // "Send test" still works on a disabled webhook and does not count as a failed delivery.
    const ping = await admin.post(`${base}/test`);
    assert.equal(ping.status, 200);
    assert.equal(ping.body.statusCode, 500);
    assert.equal(ping.body.test, true);
    // Re-enable.
    const on = await admin.patch(base, { active: true });
    assert.equal(on.status, 200);
    assert.equal(on.body.active, true);
    assert.equal(on.body.disabledReason, null);
    assert.equal(on.body.consecutiveFailures, 0);
  });

  test('deliveries failing at the same moment are all counted (no lost update)', async () => {
    const key = await project();
    const w = await hook(key, '/down-together');
    const base = `/api/v1/projects/${key}/webhooks/${w.id}`;
    // Two events at once: the worker runs both deliveries concurrently, and their last attempts
    // settle together. Each must count, so the webhook ends disabled after these two.
    await Promise.all([
      admin.post(`/api/v1/projects/${key}/tasks`, { title: 'A' }),
      admin.post(`/api/v1/projects/${key}/tasks`, { title: 'B' }),
    ]);
    const off = await until('the automatic disable', async () => {
      const s = (await admin.get(base)).body;
      return s.active === false ? s : null;
    });
    assert.equal(off.consecutiveFailures, 2);
    assert.equal(rx.at('/down-together').length, 6);
  });

  test('ten failed deliveries settling at once disable after exactly ten (FerretDB loses $inc)', async () => {
    // FerretDB v1 applies $inc as a read and a write: 10 concurrent $inc on one document were
    // seen to end at 1-5. The count of inserted failures must not lose any.
    const key = await project();
    const w = await hook(key, '/never-called');
    const doc = await Webhook.findById(w.id).lean<TWebhookDoc>();
    assert.ok(doc);
    const failed = {
      ok: false,
      statusCode: 500,
      durationMs: 1,
      error: 'HTTP 500',
      refused: false,
    };
    await Promise.all(
      Array.from({ length: 9 }, (_, i) => settleDelivery(doc, `d-${i}`, failed, 10)),
    );
    const base = `/api/v1/projects/${key}/webhooks/${w.id}`;
    assert.equal((await admin.get(base)).body.active, true, 'nine are not ten');
    // The same delivery settling twice (a stalled job run again) counts once.
    await settleDelivery(doc, 'd-0', failed, 10);
    assert.equal((await admin.get(base)).body.active, true);
    await settleDelivery(doc, 'd-9', failed, 10);
    const off = (await admin.get(base)).body;
    assert.equal(off.active, false);
    assert.match(off.disabledReason, /after 10 consecutive failed deliveries/);
    // Ten at the same moment: none may be lost.
    const w2 = await hook(key, '/never-called-either');
    const doc2 = await Webhook.findById(w2.id).lean<TWebhookDoc>();
    assert.ok(doc2);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => settleDelivery(doc2, `e-${i}`, failed, 10)),
    );
    const off2 = (await admin.get(`/api/v1/projects/${key}/webhooks/${w2.id}`)).body;
    assert.equal(off2.active, false, 'ten concurrent failures disable');
    assert.equal(off2.consecutiveFailures, 10);
  });

  test('an edit and deliveries at the moment of the disable lose nothing (FerretDB writes whole documents)', async () => {
    // FerretDB v1 applies an update by reading the whole document and writing it back: a write
    // to the webhook by a delivery, racing an edit by hand, could put back fields as it read
    // them (the webhook switched on again, the edit undone). Deliveries write elsewhere.
    const key = await project();
    const failed = { ok: false, statusCode: 500, durationMs: 1, error: 'HTTP 500', refused: false };
    for (let round = 0; round < 5; round++) {
      const w = await hook(key, `/never-called-${round}`);
      const doc = await Webhook.findById(w.id).lean<TWebhookDoc>();
      assert.ok(doc);
      const base = `/api/v1/projects/${key}/webhooks/${w.id}`;
      const a = { deliveryId: `r-${round}`, event: 'task.created', body: '{}', attempt: 1 };
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => settleDelivery(doc, `r-${i}`, failed, 10)),
        ...Array.from({ length: 3 }, () => logAttempt(doc, a, failed, logOpts)),
        admin.patch(base, { description: `edited ${round}` }),
      ]);
      const after = (await admin.get(base)).body;
      assert.equal(after.active, false, `round ${round}: the disable stays`);
      assert.equal(after.consecutiveFailures, 10);
      assert.equal(after.description, `edited ${round}`, `round ${round}: the edit stays`);
      assert.equal(after.lastStatus, 500);
      assert.ok(after.lastDeliveryAt);
      // Switched on by hand: the disable and the count are gone, the edit is kept.
      const on = (await admin.patch(base, { active: true })).body;
      assert.equal(on.active, true);
      assert.equal(on.consecutiveFailures, 0);
      assert.equal(on.disabledReason, null);
      assert.equal(on.description, `edited ${round}`);
    }
  });

  test('a deleted project takes its webhooks, their log and their secrets with it', async () => {
    const key = await project();
    const w = await hook(key, '/never-called-gone');
    const doc = await Webhook.findById(w.id).lean<TWebhookDoc>();
    assert.ok(doc);
    const failed = { ok: false, statusCode: 500, durationMs: 1, error: 'HTTP 500', refused: false };
    const a = { deliveryId: 'g-1', event: 'task.created', body: '{}', attempt: 1 };
    await logAttempt(doc, a, failed, logOpts);
    for (let i = 0; i < 10; i++) await settleDelivery(doc, `g-${i}`, failed, 10);
    const del = await admin.del(`/api/v1/projects/${key}`);
    assert.equal(del.status, 204, JSON.stringify(del.body));
    const left = await Promise.all(
      [Webhook, WebhookDelivery, WebhookFailure, WebhookAutoDisable].map((m) =>
        (m as typeof Webhook).countDocuments(
          m === Webhook ? { _id: doc._id } : { webhookId: doc._id },
        ),
      ),
    );
    assert.deepEqual(left, [0, 0, 0, 0]);
  });

  test('send test: a signed ping now, logged with its status code', async () => {
    const key = await project();
    const w = await hook(key, '/ok-ping', ['task.deleted']);
    const r = await admin.post(`/api/v1/projects/${key}/webhooks/${w.id}/test`);
    assert.equal(r.status, 200);
    assert.equal(r.body.event, 'ping');
    assert.equal(r.body.ok, true);
    assert.equal(r.body.statusCode, 200);
    assert.equal(r.body.test, true);
    assert.ok(r.body.durationMs >= 0);
    const [got] = rx.at('/ok-ping');
    assert.ok(got, 'the ping arrived before the API answered');
    assert.equal(got.headers['x-pms-event'], 'ping');
    assert.ok(signatureValid(w.secret, got));
    assert.equal(JSON.parse(got.body).data.webhookId, w.id);
    const log = await deliveries(key, w.id);
    assert.equal(log[0]?.event, 'ping');
  });

  test('redirects are not followed and a silent target times out', async () => {
    const key = await project();
    const redirect = await hook(key, '/redirect');
    const r = await admin.post(`/api/v1/projects/${key}/webhooks/${redirect.id}/test`);
    assert.equal(r.body.ok, false);
    assert.equal(r.body.statusCode, 302);
    assert.match(r.body.error, /redirect not followed/);
    await sleep(300);
    assert.equal(rx.at('/ok-after-redirect').length, 0);
    const slow = await hook(key, '/slow');
    const t = await admin.post(`/api/v1/projects/${key}/webhooks/${slow.id}/test`);
    assert.equal(t.body.ok, false);
    assert.equal(t.body.statusCode, null);
    assert.match(t.body.error, /timed out after 1000 ms/);
    assert.ok(t.body.durationMs >= 1000 && t.body.durationMs < 5000, `${t.body.durationMs} ms`);
  });

  test('the allow-list opens only its range', async () => {
    const key = await project();
    for (const url of ['http://10.0.0.1/', 'http://127.0.0.2/', 'http://169.254.169.254/']) {
      const r = await admin.post(`/api/v1/projects/${key}/webhooks`, { url });
      assert.equal(r.status, 400, url);
      assert.equal(r.body.details[0].path, 'body.url');
    }
  });

  test('the worker checks the target again at delivery time', async () => {
    const key = await project();
    const w = await hook(key, '/late-check');
    // The same instance, but the worker's policy no longer allows 127.0.0.1 (as if the allow-list
    // changed, or the name now resolved elsewhere): the delivery is refused, not retried.
    await worker.close();
    const strict = loadConfig({ ...h.env, WEBHOOK_ALLOWED_CIDRS: '' });
    worker = await startWorker(strict, createLogger('silent'), { ownDb: false });
    await admin.post(`/api/v1/projects/${key}/tasks`, { title: 'Refused' });
    const log = await until('the refused attempt', async () => {
      const l = await deliveries(key, w.id);
      return l.length ? l : null;
    });
    assert.equal(log.length, 1, 'no retries of a refused target');
    assert.equal(log[0]?.ok, false);
    assert.equal(log[0]?.final, true);
    assert.equal(log[0]?.statusCode, null);
    assert.match(log[0]?.error ?? '', /127\.0\.0\.1 is a loopback address/);
    await sleep(500);
    assert.equal(rx.at('/late-check').length, 0, 'nothing was sent');
  });
});

describe('webhooks without the job queue (ENABLE_NOTIFICATIONS=false)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('webhooks-noqueue', { ENABLE_NOTIFICATIONS: 'false' });
  });
  after(() => h.close());

  test('the API says that event deliveries are off', async () => {
    const admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
    await admin.post('/api/v1/projects', { key: 'NOQ', name: 'No queue' });
    const r = await admin.get('/api/v1/projects/NOQ/webhooks');
    assert.equal(r.status, 200);
    assert.equal(r.body.delivery.enabled, false);
    assert.match(r.body.delivery.message, /ENABLE_NOTIFICATIONS=false/);
    const c = await admin.post('/api/v1/projects/NOQ/webhooks', { url: 'https://8.8.8.8/x' });
    assert.equal(c.status, 201);
    assert.equal(c.body.delivery.enabled, false);
  });
});

// Live events (server-sent events) against the real FerretDB and Redis, with TWO backend replicas
// in this process: replica A is the harness app, replica B is a second app with its own Redis
// connections (its own publisher and its own subscriber), sharing the database, as two pods do.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { buildApp } from '../src/app.ts';
import type { Deps } from '../src/deps.ts';
import { createEventBus } from '../src/events/bus.ts';
import { closeLiveStreams } from '../src/events/routes.ts';
import { createRedis } from '../src/platform/redis.ts';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

interface Msg {
  id?: string;
  event: string;
  // Each test asserts the fields it needs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** A minimal server-sent events reader over fetch (sends the bearer token like the web app). */
class Stream {
  readonly messages: Msg[] = [];
  comments = 0;
  ended = false;
  #wake: (() => void) | null = null;
  readonly #abort = new AbortController();
  readonly res: Response;
  constructor(res: Response, abort: AbortController) {
    this.res = res;
    this.#abort = abort;
    void this.#pump();
  }
  static async open(url: string, token: string, headers: Record<string, string> = {}) {
    const abort = new AbortController();
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers },
      signal: abort.signal,
    });
    return new Stream(res, abort);
  }
  async #pump() {
    if (!this.res.body || !this.res.headers.get('content-type')?.startsWith('text/event-stream')) {
      this.ended = true;
      return;
    }
    const reader = this.res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const m: Msg = { event: 'message', data: '' };
          const data: string[] = [];
          let comment = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comment = true;
            else if (line.startsWith('id: ')) m.id = line.slice(4);
            else if (line.startsWith('event: ')) m.event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (comment) this.comments++;
          if (data.length === 0) continue;
          m.data = JSON.parse(data.join('\n'));
          this.messages.push(m);
        }
        this.#wake?.();
      }
    } catch {
      /* aborted */
    }
    this.ended = true;
    this.#wake?.();
  }
  /** Waits for the first message (after `from`) matching `pred`. */
  async next(pred: (m: Msg) => boolean, timeoutMs = 5000, from = 0): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.slice(from).find(pred);
      if (hit) return hit;
      if (this.ended) throw new Error(`stream ended; got ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
  ready = () => this.next((m) => m.event === 'ready');
  close() {
    this.#abort.abort();
  }
}

let h: Harness;
let replicaB: { url: string; close(): Promise<void> };
let owner: Client;
let bob: { client: Client; id: string };
let eve: { client: Client; id: string };
const P = '/api/v1/projects/LIVE';
const open: Stream[] = [];

async function startReplica(deps: Deps, overrides: Partial<Deps['config']> = {}) {
  const config = { ...deps.config, ...overrides };
  const redis = createRedis(config, deps.logger);
  const events = createEventBus({ redis, prefix: config.REDIS_KEY_PREFIX, logger: deps.logger });
  const { app } = buildApp({ ...deps, config, redis, events });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      // The streams' slot releases (ZREM) go out on this connection: let them finish.
      await new Promise((r) => setTimeout(r, 100));
      redis.disconnect();
    },
  };
}

async function stream(base: string, c: Client, path = `${P}/events`, headers = {}) {
  const s = await Stream.open(`${base}${path}`, c.token ?? '', headers);
  open.push(s);
  return s;
}

before(async () => {
  h = await startHarness('live');
  replicaB = await startReplica(h.deps);
  const admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  owner = (await userClient(h, admin, 'Olivia')).client;
  bob = await userClient(h, admin, 'Bob');
  eve = await userClient(h, admin, 'Eve');
  assert.equal((await owner.post('/api/v1/projects', { key: 'LIVE', name: 'Live' })).status, 201);
  assert.equal((await owner.post(`${P}/members`, { userId: bob.id, role: 'member' })).status, 201);
});
after(async () => {
  for (const s of open) s.close();
  closeLiveStreams();
  await replicaB.close();
  await h.close();
});

let taskId = '';
let createdEventId = '';

test('an event made on replica A arrives on a stream opened on replica B, with its id', async () => {
  const s = await stream(replicaB.url, bob.client, `${P}/events`, { 'accept-encoding': 'gzip' });
  assert.equal(s.res.status, 200);
  assert.match(s.res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.equal(s.res.headers.get('x-accel-buffering'), 'no');
  assert.match(s.res.headers.get('cache-control') ?? '', /no-transform/);
  assert.equal(s.res.headers.get('content-encoding'), null, 'the stream is never compressed');
  const ready = await s.ready();
  assert.equal(ready.data.subscribed, true);

  const r = await owner.post(`${P}/tasks`, { title: 'Live one', assigneeIds: [bob.id] });
  assert.equal(r.status, 201);
  taskId = r.body.id;
  const e = await s.next((m) => m.event === 'project' && m.data.type === 'task.created');
  assert.equal(e.data.taskId, taskId);
  assert.equal(e.data.actorName, 'Olivia');
  assert.equal(e.id, e.data.id, 'the SSE id is the event id (Last-Event-ID)');
  createdEventId = e.data.id;
  // Bob was assigned: his notification badge hears of it on the same stream.
  const n = await s.next((m) => m.event === 'user' && m.data.type === 'notification.created');
  assert.equal(n.data.unreadCount, 1);
  assert.equal(n.id, undefined, 'user events carry no id (they are not replayed)');
  s.close();
});

test('the user stream /me/events carries notification events, and mark-read too', async () => {
  const s = await stream(h.url, bob.client, '/api/v1/me/events');
  await s.ready();
  const c = await owner.post(`${P}/tasks/${taskId}/comments`, { body: `hi @bob` });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const n = await s.next((m) => m.event === 'user' && m.data.type === 'notification.created');
  assert.equal(n.data.unreadCount, 2);
  assert.equal(s.messages.filter((m) => m.event === 'project').length, 0);
  assert.equal((await bob.client.post('/api/v1/notifications/read-all')).status, 204);
  const read = await s.next((m) => m.event === 'user' && m.data.type === 'notification.read');
  assert.equal(read.data.unreadCount, 0);
  s.close();
});

test('reconnecting with Last-Event-ID replays the missed events, in order, before ready', async () => {
  const states = (await owner.get(`${P}/states`)).body.items as { id: string }[];
  const moved = await owner.post(`${P}/tasks/${taskId}/move`, { stateId: states[2]?.id, index: 0 });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal((await owner.patch(`${P}/tasks/${taskId}`, { priority: 'high' })).status, 200);
  const s = await stream(replicaB.url, bob.client, `${P}/events`, {
    'last-event-id': createdEventId,
  });
  const ready = await s.ready();
  const before = s.messages.slice(0, s.messages.indexOf(ready));
  const replayed = before.filter((m) => m.event === 'project');
  // The comment (comment.created) came after the creation too. Events recorded in the same
  // second as Last-Event-ID may be replayed again (see events/replay.ts): only those.
  const tail = replayed.slice(-3).map((m) => m.data.type);
  assert.deepEqual(tail, ['comment.created', 'task.moved', 'task.updated'], JSON.stringify(tail));
  const second = (id: string) => id.slice(0, 8);
  for (const m of replayed.slice(0, -3))
    assert.equal(second(m.data.id), second(createdEventId), `extra replay ${m.data.type}`);
  assert.equal(ready.data.replayed, replayed.length);
  assert.ok(!before.some((m) => m.id === createdEventId), 'the Last-Event-ID itself is not resent');
  // Live again after the replay.
  await owner.patch(`${P}/tasks/${taskId}`, { title: 'Live one (renamed)' });
  const live = await s.next((m) => m.data.type === 'task.updated', 5000, s.messages.indexOf(ready));
  assert.deepEqual(
    live.data.changes.map((c: { field: string }) => c.field),
    ['title'],
  );
  s.close();
});

test('a Last-Event-ID that cannot be replayed gets a reset event', async () => {
  const bad = await stream(h.url, bob.client, `${P}/events`, { 'last-event-id': 'not-an-id' });
  await bad.ready();
  assert.equal(bad.messages[0]?.event, 'reset');
  assert.equal(bad.messages[0]?.data.reason, 'bad-id');
  bad.close();
  // A replica that replays at most 2 events: 4 events behind is too far.
  const small = await startReplica(h.deps, { LIVE_REPLAY_MAX: 2 });
  try {
    const s = await stream(small.url, bob.client, `${P}/events`, {
      'last-event-id': createdEventId,
    });
    await s.ready();
    assert.deepEqual(
      s.messages.map((m) => m.event),
      ['reset', 'ready'],
    );
    assert.equal(s.messages[1]?.data.replayed, 0);
    assert.equal(s.messages[0]?.data.reason, 'too-far-behind');
    s.close();
  } finally {
    await small.close();
  }
});

test('subscribing needs read access: 401 without a token, 404 for a non-member', async () => {
  const anon = await fetch(`${h.url}${P}/events`);
  assert.equal(anon.status, 401);
  const r = await Stream.open(`${replicaB.url}${P}/events`, eve.client.token ?? '');
  assert.equal(r.res.status, 404);
  assert.equal(((await r.res.json()) as { error: string }).error, 'not_found');
  const missing = await Stream.open(`${h.url}/api/v1/projects/NOPE/events`, bob.client.token ?? '');
  assert.equal(missing.res.status, 404);
});

test('at most LIVE_MAX_STREAMS_PER_USER (default 8) open streams per user, over both replicas', async () => {
  assert.equal(h.deps.config.LIVE_MAX_STREAMS_PER_USER, 8, 'production default');
  const mine: Stream[] = [];
  for (let i = 0; i < 8; i++) {
    const s = await stream(i % 2 ? replicaB.url : h.url, bob.client);
    assert.equal(s.res.status, 200, `stream ${i + 1}`);
    await s.ready();
    mine.push(s);
  }
  for (const base of [h.url, replicaB.url]) {
    const r = await Stream.open(`${base}${P}/events`, bob.client.token ?? '');
    assert.equal(r.res.status, 429);
    const body = (await r.res.json()) as { error: string; message: string };
    assert.equal(body.error, 'rate_limited');
    assert.match(body.message, /at most 8 per user/);
    assert.ok(r.res.headers.get('retry-after'));
  }
  // Another user is not affected.
  const o = await stream(replicaB.url, owner);
  assert.equal(o.res.status, 200);
  o.close();
  // Closing one frees its slot (the server notices the client left).
  mine[0]?.close();
  let again: Stream | null = null;
  for (let i = 0; i < 50 && again?.res.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    again = await Stream.open(`${h.url}${P}/events`, bob.client.token ?? '');
    if (again.res.status === 200) open.push(again);
  }
  assert.equal(again?.res.status, 200);
  for (const s of [...mine, again]) s?.close();
  await new Promise((r) => setTimeout(r, 200));
});

test('Redis dropping the subscriber ends the streams; Last-Event-ID then replays the gap', async () => {
  const s = await stream(replicaB.url, bob.client);
  await s.ready();
  await owner.patch(`${P}/tasks/${taskId}`, { priority: 'low' });
  const seen = await s.next((m) => m.event === 'project' && m.data.type === 'task.updated');
  // Kill the replicas' subscriber connections (named `<prefix>live-subscriber`) in Redis.
  const name = `${h.deps.config.REDIS_KEY_PREFIX}live-subscriber`;
  const list = String(await h.deps.redis.client('LIST'));
  const ids = [...list.matchAll(/^id=(\d+) .* name=(\S*) /gm)]
    .filter((m) => m[2] === name)
    .map((m) => m[1] as string);
  assert.ok(ids.length >= 1, `subscriber connection named ${name} in CLIENT LIST`);
  for (const id of ids) await h.deps.redis.client('KILL', 'ID', id);
  // A change made while B's subscriber is away: B cannot hear it live.
  const gap = await owner.post(`${P}/tasks`, { title: 'Made during the gap' });
  assert.equal(gap.status, 201);
  const end = await s.next((m) => m.event === 'end', 10_000);
  assert.equal(end.data.reason, 'subscriber reconnected');
  const again = await stream(replicaB.url, bob.client, `${P}/events`, {
    'last-event-id': seen.id ?? '',
  });
  await again.ready();
  // The replay starts at the second of the last id (ids made by different replicas do not sort
  // strictly within a second), so earlier events of that second may come again: look for the
  // gap's event among them.
  const created = again.messages.find(
    (m) => m.event === 'project' && m.data.type === 'task.created' && m.data.taskId === gap.body.id,
  );
  assert.equal(created?.data.taskId, gap.body.id, 'the gap is replayed from the activity log');
  again.close();
});

test('a member removed from the project loses the stream (after the member.removed event)', async () => {
  const s = await stream(replicaB.url, bob.client);
  await s.ready();
  assert.equal((await owner.del(`${P}/members/${bob.id}`)).status, 204);
  const removed = await s.next((m) => m.event === 'project' && m.data.type === 'member.removed');
  assert.ok(removed);
  const end = await s.next((m) => m.event === 'end');
  assert.equal(end.data.reason, 'access revoked');
  const r = await Stream.open(`${replicaB.url}${P}/events`, bob.client.token ?? '');
  assert.equal(r.res.status, 404);
});

test('heartbeats are comment lines at LIVE_HEARTBEAT_SECONDS', async () => {
  const fast = await startReplica(h.deps, { LIVE_HEARTBEAT_SECONDS: 1 });
  try {
    const s = await stream(fast.url, owner);
    await s.ready();
    await new Promise((r) => setTimeout(r, 2300));
    assert.ok(s.comments >= 2, `heartbeats: ${s.comments}`);
    s.close();
  } finally {
    await fast.close();
  }
});

test('the OpenAPI document lists both streams', async () => {
  const doc = (await owner.get('/api/v1/openapi.json')).body as {
    paths: Record<string, Record<string, { tags: string[] }>>;
  };
  assert.deepEqual(doc.paths['/api/v1/projects/{project}/events']?.get?.tags, ['live']);
  assert.deepEqual(doc.paths['/api/v1/me/events']?.get?.tags, ['live']);
});

// Search across projects against the real database (FerretDB v1 here: no text indexes): ranking,
// visibility, comments, key jump, pagination, highlight ranges with case and diacritics, bad
// input, and the index following edits and deletions (and writes that bypassed the API).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { sweepDeletedProjects } from '../src/search/indexer.ts';
import { SearchEntry } from '../src/search/model.ts';
import { Task } from '../src/tasks/model.ts';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let admin: Client;
let alice: Client;
let bob: Client;
let carol: Client;

interface Hit {
  task: { id: string; key: string; projectKey: string; title?: string };
  matchedIn: string[];
  title: { text: string; highlights: { start: number; end: number }[] };
  snippet: {
    field: string;
    text: string;
    highlights: { start: number; end: number }[];
  } | null;
}
interface Result {
  items: Hit[];
  nextCursor: string | null;
  total: number;
}

async function search(c: Client, q: string, extra = ''): Promise<Result> {
  const r = await c.get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as Result;
}
const keys = (r: Result) => r.items.map((i) => i.task.key);
const marked = (text: string, ranges: { start: number; end: number }[]) =>
  ranges.map((r) => text.slice(r.start, r.end));

async function task(c: Client, key: string, title: string, description = ''): Promise<string> {
  const r = await c.post(`/api/v1/projects/${key}/tasks`, { title, description });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.key as string;
}

before(async () => {
  h = await startHarness('search');
  admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  alice = (await userClient(h, admin, 'Alice')).client;
  const b = await userClient(h, admin, 'Bob');
  bob = b.client;
  carol = (await userClient(h, admin, 'Carol')).client;
  assert.equal((await alice.post('/api/v1/projects', { key: 'WEB', name: 'Website' })).status, 201);
  assert.equal(
    (await alice.post('/api/v1/projects/WEB/members', { userId: b.id, role: 'member' })).status,
    201,
  );
  assert.equal((await carol.post('/api/v1/projects', { key: 'SEC', name: 'Secret' })).status, 201);
});
after(async () => {
  await h?.close();
});

describe('ranking', () => {
  const k = { title: '', desc: '', comment: '', one: '', prefix: '' };
  before(async () => {
    k.title = await task(alice, 'WEB', 'Deploy pipeline broken');
    k.desc = await task(alice, 'WEB', 'Update docs', 'The deploy step needs a pipeline cache.');
    k.comment = await task(alice, 'WEB', 'Cleanup');
    const c = await bob.post(`/api/v1/projects/WEB/tasks/${k.comment}/comments`, {
      body: 'We should deploy the new pipeline on Friday',
    });
    assert.equal(c.status, 201);
    k.one = await task(alice, 'WEB', 'Deploy checklist');
    k.prefix = await task(alice, 'WEB', 'Deployment pipelines overview');
    await task(alice, 'WEB', 'Unrelated work');
  });

  test('all words before some; title > description > comment; whole words > prefixes', async () => {
    const r = await search(bob, 'deploy pipeline');
    assert.deepEqual(keys(r), [k.title, k.prefix, k.desc, k.comment, k.one]);
    const by = new Map(r.items.map((i) => [i.task.key, i]));
    assert.deepEqual(by.get(k.title)?.matchedIn, ['title']);
    assert.deepEqual(by.get(k.desc)?.matchedIn, ['description']);
    assert.deepEqual(by.get(k.comment)?.matchedIn, ['comment']);
    assert.equal(r.total, 5);
  });

  test('a comment match carries the comment as its snippet, highlighted', async () => {
    const r = await search(bob, 'friday');
    assert.deepEqual(keys(r), [k.comment]);
    const s = r.items[0]?.snippet;
    assert.equal(s?.field, 'comment');
    assert.deepEqual(marked(s?.text ?? '', s?.highlights ?? []), ['Friday']);
  });

  test('a description match has a description snippet; prefixes are marked as typed', async () => {
    const r = await search(bob, 'cach');
    assert.deepEqual(keys(r), [k.desc]);
    const s = r.items[0]?.snippet;
    assert.equal(s?.field, 'description');
    assert.deepEqual(marked(s?.text ?? '', s?.highlights ?? []), ['cach']);
  });

  test('equal matches: the most recently updated first', async () => {
    const before = keys(await search(bob, 'checklist deploy'));
    assert.equal(before[0], k.one);
    // Touch the "title" task: among tasks matching one word in the title it now leads.
    const r0 = await search(bob, 'broken checklist');
    assert.deepEqual(keys(r0), [k.one, k.title]);
    const p = await alice.patch(`/api/v1/projects/WEB/tasks/${k.title}`, { priority: 'high' });
    assert.equal(p.status, 200);
    assert.deepEqual(keys(await search(bob, 'broken checklist')), [k.title, k.one]);
  });
});

describe('visibility', () => {
  before(async () => {
    await task(carol, 'SEC', 'Rotate the zeppelin credentials');
    await task(alice, 'WEB', 'Zeppelin landing page');
  });

  test('a user never sees a project they are not a member of', async () => {
    const r = await search(bob, 'zeppelin');
    assert.deepEqual(keys(r), ['WEB-7']);
    // Nor through the key jump.
    const j = await search(bob, 'SEC-1');
    assert.ok(!keys(j).includes('SEC-1'));
    const c = await search(carol, 'zeppelin');
    assert.deepEqual(keys(c), ['SEC-1']);
  });

  test('instance admins see every project', async () => {
    const r = await search(admin, 'zeppelin');
    assert.deepEqual(keys(r).sort(), ['SEC-1', 'WEB-7']);
  });

  test('a member removed from a project stops finding its tasks', async () => {
    const dave = await userClient(h, admin, 'Dave');
    await carol.post('/api/v1/projects/SEC/members', { userId: dave.id, role: 'viewer' });
    assert.deepEqual(keys(await search(dave.client, 'zeppelin')), ['SEC-1']);
    const rm = await carol.del(`/api/v1/projects/SEC/members/${dave.id}`);
    assert.equal(rm.status, 204, JSON.stringify(rm.body));
    assert.deepEqual(keys(await search(dave.client, 'zeppelin')), []);
  });
});

describe('key jump', () => {
  test('a task key puts that task first, in any case', async () => {
    const r = await search(bob, 'web-4');
    assert.equal(r.items[0]?.task.key, 'WEB-4');
    assert.ok(r.items[0]?.matchedIn.includes('key'));
    assert.equal((await search(bob, 'WEB-4')).items[0]?.task.key, 'WEB-4');
  });
  test('an unknown key finds nothing special', async () => {
    const r = await search(bob, 'WEB-999');
    assert.ok(r.items.every((i) => !i.matchedIn.includes('key')));
  });
});

describe('pagination', () => {
  before(async () => {
    await alice.post('/api/v1/projects', { key: 'PAG', name: 'Paging' });
    for (let i = 1; i <= 23; i++) await task(alice, 'PAG', `Quokka item ${i}`);
  });

  test('pages cover every hit once, in order, then stop', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const extra: string = `&limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const r: Result = await search(alice, 'quokka', extra);
      assert.equal(r.total, 23);
      seen.push(...keys(r));
      cursor = r.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 23);
    // Same score: newest first.
    assert.equal(seen[0], 'PAG-23');
    assert.equal(seen[22], 'PAG-1');
  });

  test('a cursor of another query is refused', async () => {
    const r = await search(alice, 'quokka', '&limit=5');
    const bad = await alice.get(`/api/v1/search?q=item&cursor=${r.nextCursor}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.details[0].path, 'query.cursor');
  });
});

describe('highlighting', () => {
  let key: string;
  before(async () => {
    key = await task(
      alice,
      'WEB',
      'Résumé du CAFÉ',
      'Le café de l\u2019équipe: nouveau re\u0301sume\u0301 (decomposed accents) à relire.',
    );
  });

  test('case and diacritics are folded for matching; ranges mark the original text', async () => {
    for (const q of ['resume cafe', 'RÉSUMÉ CAFE', 'Resu caf']) {
      const r = await search(bob, q);
      assert.equal(r.items[0]?.task.key, key, q);
      const t = r.items[0]?.title;
      const m = marked(t?.text ?? '', t?.highlights ?? []);
      assert.equal(m.length, 2, q);
      assert.ok(/^r[ée]su/i.test(m[0] ?? '') && /^caf/i.test(m[1] ?? ''), `${q}: ${m.join('|')}`);
    }
    const full = (await search(bob, 'resume cafe')).items[0]?.title;
    assert.deepEqual(marked(full?.text ?? '', full?.highlights ?? []), ['Résumé', 'CAFÉ']);
  });

  test('decomposed accents in the text are matched and kept inside the range', async () => {
    const r = await search(bob, 'nouveau resume');
    const s = r.items.find((i) => i.task.key === key)?.snippet;
    assert.equal(s?.field, 'description');
    assert.deepEqual(marked(s?.text ?? '', s?.highlights ?? []), ['nouveau', 're\u0301sume\u0301']);
  });

  test('markup in a title comes back as text with ranges, never as HTML', async () => {
    const k2 = await task(alice, 'WEB', '<img src=x onerror=alert(1)> walrus');
    const r = await search(bob, 'walrus');
    assert.equal(r.items[0]?.task.key, k2);
    assert.equal(r.items[0]?.title.text, '<img src=x onerror=alert(1)> walrus');
    assert.deepEqual(r.items[0]?.title.highlights, [{ start: 29, end: 35 }]);
  });
});

describe('bad input', () => {
  const path = async (qs: string) => {
    const r = await bob.get(`/api/v1/search${qs}`);
    assert.equal(r.status, 400, `${qs}: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body.details as { path: string }[]).map((d) => d.path);
  };

  test('missing, empty, too long, too many words, no usable word: 400 naming query.q', async () => {
    assert.deepEqual(await path(''), ['query.q']);
    assert.deepEqual(await path('?q='), ['query.q']);
    assert.deepEqual(await path('?q=%20%20'), ['query.q']);
    assert.deepEqual(await path(`?q=${'a'.repeat(201)}`), ['query.q']);
    assert.deepEqual(await path(`?q=${encodeURIComponent('aa bb cc dd ee ff gg hh ii')}`), [
      'query.q',
    ]);
    assert.deepEqual(await path('?q=x'), ['query.q']);
    assert.deepEqual(await path(`?q=${encodeURIComponent('.* +?')}`), ['query.q']);
  });

  test('limit and cursor are checked', async () => {
    assert.deepEqual(await path('?q=deploy&limit=0'), ['query.limit']);
    assert.deepEqual(await path('?q=deploy&limit=51'), ['query.limit']);
    assert.deepEqual(await path('?q=deploy&cursor=not-a-cursor'), ['query.cursor']);
    assert.deepEqual(await path('?q=deploy&q=other'), ['query.q']);
  });

  test('regular-expression syntax is plain text: no injection, no error', async () => {
    const r = await search(bob, '(deploy)[ .* pipeline$');
    assert.ok(r.items.length > 0);
    const star = await search(bob, 'zz.*');
    assert.equal(star.total, 0);
  });

  test('anonymous callers get 401', async () => {
    const r = await new Client(h.url).get('/api/v1/search?q=deploy');
    assert.equal(r.status, 401);
  });
});

describe('the index follows changes', () => {
  test('edits, comment edits and deletions are searchable at once', async () => {
    const key = await task(alice, 'WEB', 'Narwhal migration');
    assert.deepEqual(keys(await search(bob, 'narwhal')), [key]);
    await alice.patch(`/api/v1/projects/WEB/tasks/${key}`, { title: 'Platypus migration' });
    assert.deepEqual(keys(await search(bob, 'narwhal')), []);
    assert.deepEqual(keys(await search(bob, 'platypus')), [key]);
    await alice.patch(`/api/v1/projects/WEB/tasks/${key}`, { description: 'about axolotls' });
    assert.deepEqual(keys(await search(bob, 'axolotl')), [key]);

    const c = await bob.post(`/api/v1/projects/WEB/tasks/${key}/comments`, { body: 'ocelot' });
    assert.deepEqual(keys(await search(alice, 'ocelot')), [key]);
    await bob.patch(`/api/v1/projects/WEB/comments/${c.body.id}`, { body: 'lynx' });
    assert.deepEqual(keys(await search(alice, 'ocelot')), []);
    assert.deepEqual(keys(await search(alice, 'lynx')), [key]);
    await bob.del(`/api/v1/projects/WEB/comments/${c.body.id}`);
    assert.deepEqual(keys(await search(alice, 'lynx')), []);

    assert.equal((await alice.del(`/api/v1/projects/WEB/tasks/${key}`)).status, 204);
    assert.deepEqual(keys(await search(bob, 'platypus')), []);
  });

  test('tasks written around the API (seed, import) are indexed on the next search', async () => {
    const p = await alice.post('/api/v1/projects', { key: 'RAW', name: 'Raw' });
    assert.equal(p.status, 201);
    const state = await alice.get('/api/v1/projects/RAW/states');
    assert.equal(state.status, 200, JSON.stringify(state.body));
    await Task.create({
      projectId: new mongoose.Types.ObjectId(p.body.id as string),
      number: 1,
      title: 'Backfilled wombat',
      stateId: new mongoose.Types.ObjectId(state.body.items[0].id as string),
      rank: 'm',
      createdBy: new mongoose.Types.ObjectId(),
    });
    assert.deepEqual(keys(await search(alice, 'wombat')), ['RAW-1']);
  });

  test('entries of a deleted project are swept', async () => {
    const p = await alice.post('/api/v1/projects', { key: 'GONE', name: 'Gone' });
    await task(alice, 'GONE', 'Ephemeral capybara');
    assert.deepEqual(keys(await search(alice, 'capybara')), ['GONE-1']);
    assert.equal(await SearchEntry.countDocuments({ projectId: p.body.id }), 1);
    assert.equal((await alice.del('/api/v1/projects/GONE')).status, 204);
    assert.deepEqual(keys(await search(alice, 'capybara')), []);
    assert.equal(await sweepDeletedProjects(), 1);
    assert.equal(await SearchEntry.countDocuments({ projectId: p.body.id }), 0);
  });
});

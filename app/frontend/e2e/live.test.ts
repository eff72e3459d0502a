// Live boards end to end: the real backend, the Next gateway and Chromium. Two users on the same
// board in two browser contexts: what one does appears on the other's screen without a reload
// (board, task panel, notification badge); the event stream passes the gateway unbuffered.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, screenshotDir, startStack, type Stack, logsOnFailure } from './harness.ts';

let stack: Stack;
const KEY = 'LIVE';
const users = {
  olivia: {
    name: 'Olivia Owner',
    email: 'olivia@example.com',
    password: 'password-olivia',
    id: '',
  },
  bob: { name: 'Bob Builder', email: 'bob@example.com', password: 'password-bob-1', id: '' },
};
let oliviaToken: string;
let bobToken: string;
const contexts: BrowserContext[] = [];
let olivia: Page;
let bob: Page;

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(screenshotDir, `live-${name}.png`), fullPage: false });

async function signIn(u: { email: string; password: string }): Promise<Page> {
  const ctx = await stack.browser.newContext({
    baseURL: stack.baseUrl,
    viewport: { width: 1280, height: 800 },
  });
  ctx.setDefaultTimeout(15_000);
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(u.email);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/projects$/);
  return page;
}

/** Marks the document: the mark is gone after any reload or full navigation. */
const markDocument = (p: Page) =>
  p.evaluate(() => {
    (window as unknown as { __liveMark: number }).__liveMark = 1;
  });
const stillSameDocument = (p: Page) =>
  p.evaluate(() => (window as unknown as { __liveMark?: number }).__liveMark === 1);

/** Reads server-sent events from a streamed response until `pred` matches one. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pred: (block: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const decoder = new TextDecoder();
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no matching event in ${timeoutMs} ms; got ${buf}`);
    const r = await Promise.race([
      reader.read(),
      new Promise<null>((res) => setTimeout(() => res(null), left)),
    ]);
    if (r === null) continue;
    if (r.done) throw new Error(`stream ended; got ${buf}`);
    buf += decoder.decode(r.value, { stream: true });
    const blocks = buf.split('\n\n');
    const hit = blocks.slice(0, -1).find(pred);
    if (hit) return hit;
  }
}

describe('live boards', { timeout: 300_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('live');
    const admin = await stack.login(ADMIN.email, ADMIN.password);
    for (const u of Object.values(users))
      u.id = (
        await stack.api<{ id: string }>(
          'POST',
          '/users',
          { name: u.name, email: u.email, password: u.password },
          admin,
        )
      ).id;
    oliviaToken = await stack.login(users.olivia.email, users.olivia.password);
    bobToken = await stack.login(users.bob.email, users.bob.password);
    await stack.api('POST', '/projects', { key: KEY, name: 'Live board' }, oliviaToken);
    await stack.api(
      'POST',
      `/projects/${KEY}/members`,
      { userId: users.bob.id, role: 'member' },
      oliviaToken,
    );
    await stack.api('POST', `/projects/${KEY}/tasks`, { title: 'Existing task' }, oliviaToken);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await stack?.close();
  });

  it('streams events through the Next gateway without buffering or compression', async () => {
    const abort = new AbortController();
    const res = await fetch(`${stack.baseUrl}/api/v1/projects/${KEY}/events`, {
      headers: {
        authorization: `Bearer ${bobToken}`,
        accept: 'text/event-stream',
        'accept-encoding': 'gzip, deflate, br',
      },
      signal: abort.signal,
    });
    try {
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(res.headers.get('content-encoding'), null, 'not compressed by Next');
      assert.equal(res.headers.get('x-accel-buffering'), 'no');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      // The stream never ends: anything read at all proves it is passed on as it comes.
      await readUntil(reader, (b) => b.includes('event: ready'), 5000);
      const t0 = Date.now();
      await stack.api('POST', `/projects/${KEY}/tasks`, { title: 'Via gateway' }, oliviaToken);
      const block = await readUntil(reader, (b) => b.includes('"task.created"'), 5000);
      assert.match(block, /^id: [a-f0-9]{24}$/m);
      assert.ok(Date.now() - t0 < 3000, `event took ${Date.now() - t0} ms through the gateway`);
    } finally {
      abort.abort();
    }
  });

  it('the gateway passes a closed stream on (its slot is freed) and the per-user limit', async () => {
    // The stream above was closed by the client: through the gateway the backend notices and
    // frees its slot, so all 8 (LIVE_MAX_STREAMS_PER_USER's default) can be opened again.
    const open: AbortController[] = [];
    // The open responses are kept: Node's fetch cancels the body of a Response that is garbage
    // collected unread, which closes its stream and frees a slot in the middle of the count.
    const held: Response[] = [];
    const openOne = async () => {
      const abort = new AbortController();
      const r = await fetch(`${stack.baseUrl}/api/v1/me/events`, {
        headers: { authorization: `Bearer ${bobToken}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      if (r.status === 200) {
        open.push(abort);
        held.push(r);
        return { status: r.status, text: '' };
      }
      return { status: r.status, text: await r.text() };
    };
    try {
      for (let i = 0; i < 8; i++) {
        let r = await openOne();
        for (let tries = 0; r.status === 429 && tries < 30; tries++) {
          await new Promise((res) => setTimeout(res, 100));
          r = await openOne();
        }
        assert.equal(r.status, 200, `stream ${i + 1}`);
      }
      const ninth = await openOne();
      assert.equal(ninth.status, 429);
      const body = JSON.parse(ninth.text) as { error: string; message: string };
      assert.equal(body.error, 'rate_limited');
      assert.match(body.message, /at most 8 per user/);
    } finally {
      for (const a of open) a.abort();
    }
    // Closing them through the gateway frees the slots for the browser tests below.
    const deadline = Date.now() + 5000;
    for (;;) {
      const r = await openOne();
      const ok = r.status === 200;
      open.pop()?.abort();
      if (ok) break;
      assert.ok(Date.now() < deadline, 'slots freed after the streams closed');
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  it('a task created on one board appears on the other user’s board without reload', async () => {
    olivia = await signIn(users.olivia);
    bob = await signIn(users.bob);
    for (const p of [olivia, bob]) {
      await p.goto(`/projects/${KEY}/board`);
      await p.getByTestId(`card-${KEY}-1`).waitFor();
      await p.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    }
    await markDocument(bob);
    assert.equal(await bob.getByTestId(`card-${KEY}-3`).count(), 0);

    const backlog = olivia.locator('section[data-state="Backlog"]');
    await backlog.getByRole('button', { name: 'Add a task to Backlog' }).click();
    await olivia.getByLabel('New task title in Backlog').fill('Made live by Olivia');
    await olivia.keyboard.press('Enter');
    await olivia.getByTestId(`card-${KEY}-3`).waitFor();

    const card = bob.getByTestId(`card-${KEY}-3`);
    await card.waitFor({ timeout: 10_000 });
    assert.match(await card.innerText(), /Made live by Olivia/);
    assert.ok(await stillSameDocument(bob), 'no reload happened');
    await shot(olivia, 'olivia-created');
    await shot(bob, 'bob-sees-it');
  });

  it('a move by the other user moves the card on this board', async () => {
    const states = await stack.api<{ items: { id: string; name: string }[] }>(
      'GET',
      `/projects/${KEY}/states`,
      undefined,
      oliviaToken,
    );
    const started = states.items[2];
    assert.ok(started);
    await stack.api(
      'POST',
      `/projects/${KEY}/tasks/3/move`,
      { stateId: started.id, index: 0 },
      oliviaToken,
    );
    await bob
      .locator(`section[data-state="${started.name}"]`)
      .getByTestId(`card-${KEY}-3`)
      .waitFor({ timeout: 10_000 });
    assert.ok(await stillSameDocument(bob));
    await shot(bob, 'bob-sees-move');
  });

  it('the same user’s change from elsewhere (another tab, a script) updates this board too', async () => {
    const states = await stack.api<{ items: { id: string; name: string }[] }>(
      'GET',
      `/projects/${KEY}/states`,
      undefined,
      bobToken,
    );
    const backlog = states.items.find((st) => st.name === 'Backlog');
    assert.ok(backlog);
    // Bob's own change, not made in this tab: the tab shows it although the actor is Bob.
    await stack.api('POST', `/projects/${KEY}/tasks/3/move`, { stateId: backlog.id }, bobToken);
    await bob
      .locator('section[data-state="Backlog"]')
      .getByTestId(`card-${KEY}-3`)
      .waitFor({ timeout: 10_000 });
    assert.ok(await stillSameDocument(bob));
  });

  it('the open task panel and the notification badge update live', async () => {
    await bob.getByTestId(`card-${KEY}-1`).click();
    const panel = bob.getByRole('dialog', { name: `Task ${KEY}-1` });
    await panel.waitFor();
    assert.equal(await bob.getByTestId('unread-count').count(), 0);
    // Olivia renames the task and assigns Bob (a notification for him).
    await stack.api(
      'PATCH',
      `/projects/${KEY}/tasks/1`,
      { title: 'Renamed by Olivia' },
      oliviaToken,
    );
    await stack.api(
      'POST',
      `/projects/${KEY}/tasks/1/assignees`,
      { userId: users.bob.id },
      oliviaToken,
    );
    const title = panel.getByLabel('Title', { exact: true });
    await bob.waitForFunction(
      (el) => (el as HTMLInputElement | null)?.value === 'Renamed by Olivia',
      await title.elementHandle(),
      { timeout: 10_000 },
    );
    const badge = bob.getByTestId('unread-count');
    await badge.waitFor({ timeout: 10_000 });
    assert.equal((await badge.innerText()).trim(), '1');
    assert.ok(await stillSameDocument(bob), 'no reload happened');
    await shot(bob, 'bob-panel-and-badge');
    // Reading it elsewhere (another tab, here the API) clears the badge live too.
    await stack.api('POST', '/notifications/read-all', {}, bobToken);
    await badge.waitFor({ state: 'detached', timeout: 10_000 });
    // A comment by Olivia appears in the open panel.
    await stack.api(
      'POST',
      `/projects/${KEY}/tasks/1/comments`,
      { body: 'Commented live by Olivia' },
      oliviaToken,
    );
    await panel
      .locator('ul.comments li.comment', { hasText: 'Commented live by Olivia' })
      .waitFor({ timeout: 10_000 });
    assert.ok(await stillSameDocument(bob), 'no reload happened');
  });

  it('the task list shows a task the other user creates', async () => {
    await olivia.goto(`/projects/${KEY}/list`);
    await olivia.getByRole('link', { name: 'Made live by Olivia' }).waitFor();
    await olivia.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    await markDocument(olivia);
    await stack.api('POST', `/projects/${KEY}/tasks`, { title: 'Listed live by Bob' }, bobToken);
    await olivia.getByRole('link', { name: 'Listed live by Bob' }).waitFor({ timeout: 10_000 });
    assert.ok(await stillSameDocument(olivia), 'no reload happened');
    await shot(olivia, 'olivia-list');
  });

  it('the backend going away ends streams at once and shows "Reconnecting…"', async () => {
    await bob.keyboard.press('Escape');
    const t0 = Date.now();
    await stack.stopBackend();
    // Open streams are ended on SIGTERM, not left to the SHUTDOWN_TIMEOUT_MS (10 s) cut-off.
    assert.ok(Date.now() - t0 < 5000, `backend stopped in ${Date.now() - t0} ms`);
    for (const p of [bob, olivia])
      await p
        .locator('[data-testid="live-status"][data-status="reconnecting"]')
        .waitFor({ timeout: 10_000 });
    assert.match(await bob.getByTestId('live-status').innerText(), /Reconnecting/);
    await shot(bob, 'bob-reconnecting');
  });
});

// Task panel edits under real conditions: a refused edit is reported where the user is looking
// (top of the panel, in view even when scrolled) and keeps what they typed; an edit based on a
// version someone else changed meanwhile is refused (If-Match → 412) and the panel reloads;
// fast label toggles all land (atomic add/remove on the server).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { ADMIN, startStack, type Stack, logsOnFailure } from './harness.ts';

let stack: Stack;
let ctx: BrowserContext;
let page: Page;
let token: string;
const KEY = 'ED';

/** Whether the element is entirely inside the browser viewport. */
const inViewport = (l: Locator) =>
  l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
  });

describe('task panel edits', { timeout: 300_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('task-edits');
    token = await stack.login(ADMIN.email, ADMIN.password);
    await stack.api('POST', '/projects', { key: KEY, name: 'Editing' }, token);
    for (const name of ['alpha', 'beta', 'gamma'])
      await stack.api('POST', `/projects/${KEY}/labels`, { name, color: '#3366ff' }, token);
    await stack.api(
      'POST',
      `/projects/${KEY}/tasks`,
      // A long description so that the panel scrolls.
      { title: 'Original title', priority: 'low', description: 'line\n\n'.repeat(120) },
      token,
    );
    // A small viewport: the panel's end is far below its top.
    ctx = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1280, height: 640 },
    });
    ctx.setDefaultTimeout(15_000);
    page = await ctx.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/projects$/);
  });
  after(async () => {
    await ctx?.close().catch(() => undefined);
    await stack?.close();
  });

  it('shows a refused edit at the top of the panel and keeps the typed text', async () => {
    await page.goto(`/projects/${KEY}/board`);
    await page.getByTestId(`card-${KEY}-1`).click();
    const panel = page.getByRole('dialog', { name: `Task ${KEY}-1` });
    await panel.waitFor();
    const title = panel.getByLabel('Title', { exact: true });
    // Only bidi override characters: the API strips them and refuses the empty title (400).
    await title.fill('\u202e\u202e');
    await title.blur();
    const alert = panel.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Not saved: title:/);
    assert.ok(await inViewport(alert), 'the message is in view');
    assert.equal(await title.inputValue(), '\u202e\u202e', 'the typed title is kept');
    assert.equal(await title.getAttribute('aria-invalid'), 'true');
    // Correcting it saves, and the message goes away.
    await title.fill('Corrected title');
    await title.blur();
    await alert.waitFor({ state: 'detached' });
    const saved = await stack.api<{ title: string }>(
      'GET',
      `/projects/${KEY}/tasks/1`,
      undefined,
      token,
    );
    assert.equal(saved.title, 'Corrected title');
  });

  it('an edit based on a version changed meanwhile is refused in view, and the task reloads', async () => {
    const panel = page.getByRole('dialog', { name: `Task ${KEY}-1` });
    // The user scrolls down to the end of the panel (past the long description)…
    await panel.getByRole('button', { name: 'Delete task' }).scrollIntoViewIfNeeded();
    await panel.getByText('Edit labels').scrollIntoViewIfNeeded();
    // …while someone else changes the task.
    await stack.api('PATCH', `/projects/${KEY}/tasks/1`, { priority: 'urgent' }, token);
    const answer = page.waitForResponse(
      (r) => r.url().endsWith(`/tasks/1`) && r.request().method() === 'PATCH',
    );
    await panel.getByLabel('Due date').fill('2031-01-02');
    assert.equal((await answer).status(), 412);
    const alert = panel.getByRole('alert');
    await alert.getByText(/Someone else changed this task/).waitFor();
    assert.ok(await inViewport(alert), 'the message is in view although the panel is scrolled');
    // The panel shows the other person's change, and the refused date was not saved.
    await page.waitForFunction(
      () =>
        (document.querySelector('select[aria-label="Priority"]') as HTMLSelectElement)?.value ===
        'urgent',
    );
    const cur = await stack.api<{ dueDate: string | null; priority: string }>(
      'GET',
      `/projects/${KEY}/tasks/1`,
      undefined,
      token,
    );
    assert.deepEqual([cur.priority, cur.dueDate], ['urgent', null]);
    // Applying it again now works.
    await panel.getByLabel('Due date').fill('2031-01-02');
    await alert.waitFor({ state: 'detached' });
  });

  it('fast label toggles all land', async () => {
    const panel = page.getByRole('dialog', { name: `Task ${KEY}-1` });
    await panel.getByText('Edit labels').click();
    const group = panel.getByRole('group', { name: 'Labels' });
    for (const name of ['alpha', 'beta', 'gamma']) await group.getByText(name).click();
    await group.getByText('beta').click(); // and off again
    await page.waitForFunction(
      () =>
        !document.querySelector('.task-detail[aria-busy]') &&
        [...document.querySelectorAll('.task-side .chips .chip')]
          .map((c) => c.textContent?.trim())
          .sort()
          .join() === 'alpha,gamma',
    );
    const labels = await stack.api<{ items: { id: string; name: string }[] }>(
      'GET',
      `/projects/${KEY}/labels`,
      undefined,
      token,
    );
    const t = await stack.api<{ labelIds: string[] }>(
      'GET',
      `/projects/${KEY}/tasks/1`,
      undefined,
      token,
    );
    const names = t.labelIds.map((id) => labels.items.find((l) => l.id === id)?.name).sort();
    assert.deepEqual(names, ['alpha', 'gamma']);
  });
});

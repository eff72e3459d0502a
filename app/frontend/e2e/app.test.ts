// The PMS web app end to end: real Chromium → real Next standalone server → real backend →
// FerretDB, Redis and MinIO. Steps share one stack and run in order, like a user's session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { ADMIN, screenshotDir, startStack, type Stack, logsOnFailure } from './harness.ts';

const VIEWER = { name: 'Vera Viewer', email: 'viewer@example.com', password: 'viewer-password-1' };
const KEY = 'WEB';

let stack: Stack;
let ctx: BrowserContext;
let page: Page;
let failed: string | null = null;

/** Steps build on each other: after a failure the rest fail fast instead of timing out. */
function step(name: string, fn: () => Promise<void>) {
  it(name, async () => {
    if (failed) throw new Error(`not run: an earlier step failed (${failed})`);
    try {
      await fn();
    } catch (err) {
      failed = name;
      await page?.screenshot({ path: join(screenshotDir, 'FAILED.png') }).catch(() => undefined);
      throw err;
    }
  });
}

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false });
const column = (p: Page, state: string) => p.locator(`section.column[data-state="${state}"]`);

/**
 * HTML5 drag and drop with real mouse input. Chromium fires `drop` only after a `dragover` the
 * page accepted, so move in steps over the target (Playwright's dragTo sends a single move).
 */
async function drag(p: Page, source: Locator, target: Locator, offsetY?: number) {
  const a = await source.boundingBox();
  const b = await target.boundingBox();
  if (!a || !b) throw new Error('drag: element not visible');
  const y = b.y + (offsetY ?? b.height / 2);
  await p.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await p.mouse.down();
  await p.mouse.move(b.x + b.width / 2, y - 6, { steps: 6 });
  await p.mouse.move(b.x + b.width / 2, y, { steps: 2 });
  await p.mouse.up();
}

async function signIn(p: Page, email: string, password: string) {
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function boardColumnsFromApi(): Promise<Record<string, string[]>> {
  const token = await stack.login(ADMIN.email, ADMIN.password);
  const board = await stack.api<{
    columns: { state: { name: string }; tasks: { key: string }[] }[];
  }>('GET', `/projects/${KEY}/board`, undefined, token);
  return Object.fromEntries(board.columns.map((c) => [c.state.name, c.tasks.map((t) => t.key)]));
}

describe('PMS web app', { timeout: 600_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('app');
    const admin = await stack.login(ADMIN.email, ADMIN.password);
    await stack.api('POST', '/users', { ...VIEWER, role: 'member' }, admin);
    ctx = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    ctx.setDefaultTimeout(15_000);
    page = await ctx.newPage();
    page.on('dialog', (d) => void d.accept());
  });

  after(async () => {
    await ctx?.close().catch(() => undefined);
    await stack?.close();
  });

  step('serves health, metrics and the API gateway in the API error format', async () => {
    const health = await fetch(`${stack.baseUrl}/api/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const unauth = await fetch(`${stack.baseUrl}/api/v1/projects`);
    assert.equal(unauth.status, 401);
    const body = (await unauth.json()) as { error: string };
    assert.equal(body.error, 'unauthorized');
    const cfg = await fetch(`${stack.baseUrl}/api/v1/auth/config`);
    assert.equal(
      ((await cfg.json()) as { registrationEnabled: boolean }).registrationEnabled,
      true,
    );
    const metrics = await (await fetch(`${stack.baseUrl}/api/metrics`)).text();
    assert.match(metrics, /pms_frontend_api_proxy_requests_total\{[^}]*status="401"/);
    assert.match(metrics, /pms_frontend_process_cpu_seconds_total/);
  });

  step('redirects to sign-in, rejects a wrong password, then signs in', async () => {
    await page.goto('/projects');
    await page.waitForURL(/\/sign-in\?next=%2Fprojects/);
    await page.getByLabel('Email').waitFor();
    await shot(page, '01-sign-in');
    await signIn(page, ADMIN.email, 'wrong-password');
    const alert = page.locator('.inline-error[role="alert"]');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /invalid|incorrect|wrong/i);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/projects$/);
    await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
    await shot(page, '02-projects-empty');
  });

  step('creates a project with the default workflow', async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Name').fill('Website relaunch');
    assert.equal(await page.getByLabel('Key').inputValue(), 'WR');
    await page.getByLabel('Key').fill('web');
    assert.equal(await page.getByLabel('Key').inputValue(), KEY);
    await page.getByLabel('Description').fill('Everything for the new marketing site.');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(new RegExp(`/projects/${KEY}/board`));
    for (const s of ['Backlog', 'Todo', 'In Progress', 'Done']) await column(page, s).waitFor();
    // the sidebar lists it
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: /Website relaunch/ })
      .waitFor();
  });

  step('archives and restores a project', async () => {
    const token = await stack.login(ADMIN.email, ADMIN.password);
    await stack.api('POST', '/projects', { key: 'OLD', name: 'Old website' }, token);
    await page.goto('/projects');
    await page.getByRole('link', { name: 'Old website' }).first().waitFor();
    await shot(page, '02b-projects');
    await page.getByRole('button', { name: 'Archive Old website' }).click();
    await page
      .getByRole('list', { name: 'Projects' })
      .getByRole('link', { name: 'Old website' })
      .waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Archived' }).click();
    await page.getByRole('button', { name: 'Restore Old website' }).click();
    await page.getByRole('heading', { name: 'No archived projects' }).waitFor();
    await page.getByRole('tab', { name: 'Active' }).click();
    await page
      .getByRole('list', { name: 'Projects' })
      .getByRole('link', { name: 'Old website' })
      .waitFor();
    await page.goto(`/projects/${KEY}/board`);
    await column(page, 'Todo').waitFor();
  });

  step('quick-adds tasks in a column', async () => {
    const todo = column(page, 'Todo');
    await todo.getByRole('button', { name: 'Add a task to Todo' }).click();
    const input = todo.getByLabel('New task title in Todo');
    for (const title of ['Design the landing page', 'Set up CI', 'Write the launch post']) {
      await input.fill(title);
      await input.press('Enter');
      await todo.getByText(title).waitFor();
      await page.waitForFunction(
        () => !(document.querySelector('.quick-add input') as HTMLInputElement | null)?.disabled,
      );
    }
    await input.press('Escape');
    assert.deepEqual((await boardColumnsFromApi()).Todo, ['WEB-1', 'WEB-2', 'WEB-3']);
    await shot(page, '03-board');
  });

  step('drags a card to another column and it stays there after a reload', async () => {
    const card = page.getByTestId('card-WEB-2');
    const target = column(page, 'In Progress').locator('.column-body');
    const moved = page.waitForResponse(
      (r) => r.url().includes('/tasks/2/move') && r.request().method() === 'POST',
    );
    await drag(page, card, target);
    assert.equal((await moved).status(), 200);
    await column(page, 'In Progress').getByTestId('card-WEB-2').waitFor();
    await page.reload();
    await column(page, 'In Progress').getByTestId('card-WEB-2').waitFor();
    assert.equal(await column(page, 'Todo').getByTestId('card-WEB-2').count(), 0);
    const cols = await boardColumnsFromApi();
    assert.deepEqual(cols['In Progress'], ['WEB-2']);
    assert.deepEqual(cols.Todo, ['WEB-1', 'WEB-3']);
  });

  step('reorders within a column by drag, and moves cards with the keyboard', async () => {
    // drag WEB-3 above WEB-1 inside Todo
    const moved = page.waitForResponse((r) => r.url().includes('/tasks/3/move'));
    await drag(page, page.getByTestId('card-WEB-3'), page.getByTestId('card-WEB-1'), 8);
    await moved;
    assert.deepEqual((await boardColumnsFromApi()).Todo, ['WEB-3', 'WEB-1']);

    // keyboard: Alt+ArrowRight moves WEB-1 to In Progress (second row kept where possible)
    await page.getByTestId('card-WEB-1').focus();
    const kmove = page.waitForResponse((r) => r.url().includes('/tasks/1/move'));
    await page.keyboard.press('Alt+ArrowRight');
    await kmove;
    await page
      .getByRole('status')
      .filter({ hasText: 'WEB-1 moved to In Progress' })
      .waitFor({ state: 'attached' });
    // focus stays on the moved card, so a second key press keeps going
    const kmove2 = page.waitForResponse((r) => r.url().includes('/tasks/1/move'));
    await page.keyboard.press('Alt+ArrowUp');
    await kmove2;
    await page.reload();
    await column(page, 'In Progress').getByTestId('card-WEB-1').waitFor();
    assert.deepEqual((await boardColumnsFromApi())['In Progress'], ['WEB-1', 'WEB-2']);
  });

  step('keeps board filters in the URL', async () => {
    await page.getByLabel('Filter tasks by text').fill('launch');
    await page.waitForURL(/q=launch/);
    await page.getByTestId('card-WEB-3').waitFor();
    assert.equal(await page.getByTestId('card-WEB-1').count(), 0);
    await page.reload();
    assert.equal(await page.getByLabel('Filter tasks by text').inputValue(), 'launch');
    assert.equal(await page.getByTestId('card-WEB-1').count(), 0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByTestId('card-WEB-1').waitFor();
  });

  step('manages labels and members in project settings', async () => {
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.waitForURL(/\/settings$/);
    await page.getByLabel('New label name').fill('frontend');
    await page.getByRole('button', { name: 'Add label' }).click();
    await page.getByLabel('Name of label frontend').waitFor();
    await page.getByLabel('Find people to add').fill('vera');
    await page.getByLabel('Role for new members').selectOption('viewer');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: `Add ${VIEWER.name}` }).click();
    await page.getByLabel(`Role of ${VIEWER.name}`).waitFor();
    assert.equal(await page.getByLabel(`Role of ${VIEWER.name}`).inputValue(), 'viewer');
    // add and reorder a workflow state
    await page.getByLabel('New state name').fill('In Review');
    await page.getByLabel('Category').selectOption('started');
    await page.getByRole('button', { name: 'Add state' }).click();
    await page.getByLabel('Name of state In Review').waitFor();
    await page.getByRole('button', { name: 'Move In Review up' }).click();
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll<HTMLInputElement>('ol.rows input')].map(
        (i) => i.value,
      );
      return names.indexOf('In Review') === names.length - 2;
    });
    await shot(page, '05-settings');
  });

  step(
    'edits a task in the panel: markdown is rendered safely, labels, comment with a mention',
    async () => {
      await page.goto(`/projects/${KEY}/board`);
      await page.getByTestId('card-WEB-1').click();
      const panel = page.getByRole('dialog', { name: 'Task WEB-1' });
      await panel.waitFor();
      await panel.getByRole('button', { name: 'Edit' }).click();
      await panel
        .getByLabel('Description (markdown)')
        .fill(
          '## Goals\n\n- **Fast** first paint\n- [docs](https://example.com) and [bad](javascript:alert(1))\n\n<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>',
        );
      await panel.getByRole('button', { name: 'Save' }).click();
      await panel.locator('.markdown strong', { hasText: 'Fast' }).waitFor();
      assert.equal(await panel.locator('.markdown script, .markdown img').count(), 0);
      assert.equal(await panel.locator('.markdown a[href^="javascript"]').count(), 0);
      assert.equal(await panel.locator('.markdown a[href="https://example.com"]').count(), 1);
      assert.equal(
        await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
        undefined,
      );

      await panel.getByLabel('Priority').selectOption('high');
      await panel.getByText('Edit labels').click();
      await panel.getByRole('group', { name: 'Labels' }).getByText('frontend').click();
      await panel.locator('.chips .chip', { hasText: 'frontend' }).waitFor();

      await panel.getByText('Edit assignees').click();
      await panel.getByRole('group', { name: 'Assignees' }).getByText(ADMIN.name).click();
      await panel.locator('.person', { hasText: ADMIN.name }).waitFor();
      await panel.getByLabel('Due date').fill('2030-05-17');
      await panel.getByLabel('Estimate (points)').fill('3');
      await panel.getByLabel('Estimate (points)').blur();
      await page.getByTestId('card-WEB-1').locator('.estimate', { hasText: '3 pt' }).waitFor();
      await page.getByTestId('card-WEB-1').locator('.due', { hasText: 'May 17, 2030' }).waitFor();
      await panel.getByLabel('New sub-task title').fill('Pick the hero illustration');
      await panel.getByLabel('New sub-task title').press('Enter');
      await panel.locator('.sub-item', { hasText: 'Pick the hero illustration' }).waitFor();
      assert.equal(await panel.getByLabel('New sub-task title').inputValue(), '');

      const box = panel.getByLabel('Comment', { exact: true });
      await box.fill('Looks good, ');
      await box.pressSequentially('@Ver');
      await panel.getByRole('option', { name: /Vera Viewer/ }).waitFor();
      await box.press('Enter');
      assert.equal(await box.inputValue(), 'Looks good, @VeraViewer ');
      await box.pressSequentially('please review.');
      await panel.getByRole('button', { name: 'Comment', exact: true }).click();
      await panel.locator('.comment', { hasText: 'please review.' }).waitFor();
      await panel.locator('.timeline-item').first().waitFor();
      await shot(page, '04-task-panel');
    },
  );

  step('uploads, downloads and deletes an attachment', async () => {
    const panel = page.getByRole('dialog', { name: 'Task WEB-1' });
    const content = `launch checklist ${Date.now()}\n`.repeat(2000);
    await panel.getByLabel('Upload attachments').setInputFiles({
      name: 'checklist.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(content),
    });
    await panel.getByRole('button', { name: 'Download checklist.txt' }).waitFor();
    const download = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Download checklist.txt' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'checklist.txt');
    // Streamed through the same-origin API (the test S3 endpoint is not what a browser would use).
    assert.match(
      file.url(),
      new RegExp(
        `^${stack.baseUrl}/api/v1/projects/${KEY}/attachments/[a-f0-9]{24}/content\\?token=`,
      ),
    );
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), content);

    await panel
      .getByLabel('Upload attachments')
      .setInputFiles({ name: 'tmp.txt', mimeType: 'text/plain', buffer: Buffer.from('x') });
    await panel.getByRole('button', { name: 'Delete tmp.txt' }).click();
    await panel.getByRole('button', { name: 'Download tmp.txt' }).waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => !u.search.includes('task='));
  });

  step(
    'an upload that finishes while the attachment list is still loading stays listed',
    async () => {
      // The list is answered by the server before the upload lands, but reaches the page after the
      // upload's answer: that stale list must not replace the uploaded file.
      const isList = (url: URL) => url.pathname === `/api/v1/projects/${KEY}/tasks/1/attachments`;
      let uploaded!: () => void;
      const uploadDone = new Promise<void>((resolve) => (uploaded = resolve));
      let held = 0;
      await page.route(isList, async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        const response = await route.fetch();
        held++;
        await uploadDone;
        await route.fulfill({ response });
      });
      try {
        const upload = page.waitForResponse(
          (r) => r.request().method() === 'POST' && isList(new URL(r.url())),
        );
        await page.getByTestId('card-WEB-1').click();
        const panel = page.getByRole('dialog', { name: 'Task WEB-1' });
        await panel.getByLabel('Upload attachments').setInputFiles({
          name: 'late.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from('uploaded while the list loads'),
        });
        assert.ok((await upload).ok());
        uploaded();
        await panel.getByRole('button', { name: 'Download checklist.txt' }).waitFor();
        await panel.getByRole('button', { name: 'Download late.txt' }).waitFor();
        assert.ok(held >= 1, 'the list request was not held back');
        await panel.getByRole('button', { name: 'Delete late.txt' }).click();
        await panel
          .getByRole('button', { name: 'Download late.txt' })
          .waitFor({ state: 'detached' });
      } finally {
        uploaded();
        await page.unroute(isList);
      }
      await page.keyboard.press('Escape');
      await page.waitForURL((u) => !u.search.includes('task='));
    },
  );

  step('lists tasks: sortable, filtered through the URL, paginated', async () => {
    await page.goto(`/projects/${KEY}/list`);
    await page.locator('table tbody tr').first().waitFor();
    // three tasks and the sub-task
    assert.equal(await page.locator('table tbody tr').count(), 4);
    const firstIds = () => page.locator('table tbody td.col-id').allTextContents();
    await page.getByRole('button', { name: 'ID' }).click();
    await page.waitForURL(/sort=number/);
    await page.waitForFunction(
      () => document.querySelector('table tbody td.col-id')?.textContent === 'WEB-1',
    );
    assert.deepEqual(await firstIds(), ['WEB-1', 'WEB-2', 'WEB-3', 'WEB-4']);
    assert.equal(
      await page.getByRole('columnheader', { name: 'ID' }).getAttribute('aria-sort'),
      'ascending',
    );
    await page.getByRole('button', { name: 'ID' }).click();
    await page.waitForURL(/sort=-number/);
    await page.waitForFunction(
      () => document.querySelector('table tbody td.col-id')?.textContent === 'WEB-4',
    );

    // pagination: 25 a page
    const token = await stack.login(ADMIN.email, ADMIN.password);
    const priorities = ['urgent', 'high', 'medium', 'low', 'none'];
    const topics = [
      'Audit accessibility',
      'Compress hero images',
      'Add pricing FAQ',
      'Fix footer links',
      'Localise the blog',
      'Tune caching headers',
    ];
    for (let i = 0; i < 24; i++) {
      await stack.api(
        'POST',
        `/projects/${KEY}/tasks`,
        { title: `${topics[i % topics.length]} (${i + 1})`, priority: priorities[i % 5] },
        token,
      );
    }
    await page.goto(`/projects/${KEY}/list?sort=number`);
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 25);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 3);
    assert.deepEqual(await firstIds(), ['WEB-26', 'WEB-27', 'WEB-28']);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 25);
    await shot(page, '06-list');

    await page.goto(`/projects/${KEY}/list?priority=high`);
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 6);
    assert.ok((await firstIds()).includes('WEB-1'));
    await shot(page, '06b-list-filtered');
  });

  step('a viewer sees no edit controls and gets the mention notification', async () => {
    const vctx = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1280, height: 860 },
    });
    const v = await vctx.newPage();
    try {
      await v.goto('/sign-in');
      await signIn(v, VIEWER.email, VIEWER.password);
      await v.waitForURL(/\/projects$/);
      await v.getByTestId('unread-count').waitFor();
      assert.equal(await v.getByTestId('unread-count').textContent(), '1');
      await v.goto(`/projects/${KEY}/board`);
      await v.getByTestId('card-WEB-1').waitFor();
      assert.equal(await v.getByRole('button', { name: /Add a task/ }).count(), 0);
      assert.equal(await v.getByTestId('card-WEB-1').getAttribute('draggable'), 'false');
      await v.goto(`/projects/${KEY}/tasks/1`);
      await v.getByRole('heading', { name: 'Design the landing page' }).waitFor();
      await v.getByText('You have view-only access.').waitFor();
      for (const label of ['Title', 'Comment', 'Upload attachments', 'Priority', 'State']) {
        assert.equal(
          await v.getByLabel(label, { exact: true }).count(),
          0,
          `${label} should not be editable`,
        );
      }
      assert.equal(await v.getByRole('button', { name: /Delete/ }).count(), 0);
      assert.equal(await v.getByRole('button', { name: 'Edit' }).count(), 0);
      // can still download
      await v.getByRole('button', { name: 'Download checklist.txt' }).waitFor();
      await v.goto(`/projects/${KEY}/settings`);
      await v.getByRole('heading', { name: 'Labels' }).waitFor();
      assert.equal(await v.getByRole('button', { name: /Add label|Add state|Search/ }).count(), 0);

      await v.goto('/notifications');
      const item = v.locator('.notif.unread');
      await item.waitFor();
      assert.match((await item.textContent()) ?? '', /Ada Admin/);
      await shot(v, '07-notifications');
      await v.getByRole('button', { name: /Mark notification from Ada Admin as read/ }).click();
      await v.getByTestId('unread-count').waitFor({ state: 'detached' });
    } finally {
      await vctx.close();
    }
  });

  step('account settings: creates an API token that works, changes the password', async () => {
    await page.goto('/settings');
    await page.getByLabel('Token name').fill('CI');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    assert.match(token, /^pms_/);
    const me = await stack.api<{ email: string }>('GET', '/auth/me', undefined, token);
    assert.equal(me.email, ADMIN.email);
    await shot(page, '08-account');
    await page.getByRole('button', { name: 'Revoke CI' }).click();
    await page.getByText('No tokens yet.').waitFor();

    await page.getByLabel('Current password').fill(ADMIN.password);
    await page.getByLabel('New password', { exact: true }).fill('admin-password-2');
    await page.getByLabel('Confirm new password').fill('admin-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/Password changed/).waitFor();
    await stack.login(ADMIN.email, 'admin-password-2');
    ADMIN.password = 'admin-password-2';
  });

  step('keeps the session across reloads (silent refresh) and signs out', async () => {
    await page.goto(`/projects/${KEY}/board`);
    await page.getByTestId('card-WEB-1').waitFor();
    // dark theme persists across reloads
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.reload();
    await page.getByTestId('card-WEB-1').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await shot(page, '09-board-dark');
    await page.getByTestId('card-WEB-2').click();
    await page.getByRole('dialog', { name: 'Task WEB-2' }).waitFor();
    await shot(page, '10-task-dark');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto('/projects');
    await page.waitForURL(/\/sign-in\?next=/);
  });

  step('works at phone width', async () => {
    const mctx = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const m = await mctx.newPage();
    try {
      await m.goto('/sign-in');
      await signIn(m, ADMIN.email, ADMIN.password);
      await m.waitForURL(/\/projects$/);
      await m.goto(`/projects/${KEY}/board`);
      await m.getByTestId('card-WEB-1').waitFor();
      await shot(m, '11-phone-board');
      const width = await m.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `page must not scroll sideways (scrollWidth ${width})`);
      await m.getByRole('button', { name: 'Open menu' }).click();
      await m
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Notifications' })
        .click();
      await m.waitForURL(/\/notifications/);
      await m.goto(`/projects/${KEY}/tasks/1`);
      await m.getByLabel('Title', { exact: true }).waitFor();
      await shot(m, '12-phone-task');
    } finally {
      await mctx.close();
    }
  });
});

// Global search and saved views in Chromium against the real stack: the "/" and Ctrl+K
// shortcuts open the search box, results show highlighted matches (case and accents folded),
// keyboard choice and clicks open the task; a saved view is saved, reopened from another page
// and deleted. Screenshots in e2e/screenshots/search-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, screenshotDir, startStack, type Stack, logsOnFailure } from './harness.ts';

const KEY = 'SRCH';
let stack: Stack;
let ctx: BrowserContext;
let page: Page;
let failed: string | null = null;

function step(name: string, fn: () => Promise<void>) {
  it(name, async () => {
    if (failed) throw new Error(`not run: an earlier step failed (${failed})`);
    try {
      await fn();
    } catch (err) {
      failed = name;
      await page
        ?.screenshot({ path: join(screenshotDir, 'search-FAILED.png') })
        .catch(() => undefined);
      throw err;
    }
  });
}

const shot = (name: string) =>
  page.screenshot({ path: join(screenshotDir, `search-${name}.png`), fullPage: false });
const searchBox = () => page.getByRole('combobox', { name: 'Search all projects' });
/** The dropdown's options (the page may have <select> options of its own). */
const options = () => page.getByRole('listbox', { name: 'Search results' }).getByRole('option');
const focusedLabel = () =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');

describe('search and saved views', { timeout: 400_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('search');
    const token = await stack.login(ADMIN.email, ADMIN.password);
    await stack.api('POST', '/projects', { key: KEY, name: 'Search demo' }, token);
    const t = (title: string, description = '', priority = 'none') =>
      stack.api('POST', `/projects/${KEY}/tasks`, { title, description, priority }, token);
    await t('Résumé upload fails on Safari', 'Users cannot attach a CV.', 'high');
    await t('Deploy pipeline cache', 'Speeds up the deploy step.', 'low');
    await t('Release notes', 'Mention the new deploy flow and the résumé fix.', 'high');
    await stack.api(
      'POST',
      `/projects/${KEY}/tasks/2/comments`,
      { body: 'The resume parser also needs a deploy.' },
      token,
    );
    ctx = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1280, height: 800 },
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

  step('"/" focuses the search box; matches are highlighted without accents or case', async () => {
    await searchBox().waitFor();
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    assert.equal(await focusedLabel(), 'Search all projects');
    await page.keyboard.type('RESUME');
    const first = page.getByTestId(`search-option-${KEY}-1`);
    await first.waitFor();
    assert.deepEqual(await first.locator('.search-hit-title mark').allInnerTexts(), ['Résumé']);
    // The task with "resume" only in a comment and the one with it in the description follow.
    const texts = await options().allInnerTexts();
    assert.match(texts[0] ?? '', /SRCH-1/);
    assert.ok(texts.some((t) => /SRCH-3/.test(t) && /Description:/.test(t)));
    assert.ok(texts.some((t) => /SRCH-2/.test(t) && /Ada Admin:/.test(t)));
    await shot('dropdown');
  });

  step('arrow keys choose a result and Enter opens the task', async () => {
    await page.keyboard.press('ArrowDown');
    assert.equal(
      await page.getByTestId(`search-option-${KEY}-1`).getAttribute('aria-selected'),
      'true',
    );
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/projects/${KEY}/tasks/1$`));
    await page.getByLabel('Title', { exact: true }).waitFor();
    assert.equal(
      await page.getByLabel('Title', { exact: true }).inputValue(),
      'Résumé upload fails on Safari',
    );
  });

  step('Ctrl+K, then Enter without a choice opens the results page', async () => {
    await page.keyboard.press('Control+k');
    assert.equal(await focusedLabel(), 'Search all projects');
    await searchBox().fill('deploy');
    await page.getByTestId(`search-option-${KEY}-2`).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=deploy$/);
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    assert.match(await page.getByTestId('search-total').innerText(), /^2 results/);
    const top = page.getByTestId(`search-result-${KEY}-2`);
    assert.deepEqual(await top.locator('.search-hit-title mark').allInnerTexts(), ['Deploy']);
    await shot('results');
  });

  step('the results page: keyboard down the list and open one', async () => {
    await page.getByLabel('Search query').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(
      () => document.activeElement?.getAttribute('data-testid') ?? '',
    );
    assert.match(focused, /^search-result-SRCH-\d$/);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/projects/${KEY}/tasks/\\d$`));
  });

  step('a task key jumps to that task', async () => {
    await page.keyboard.press('Control+k');
    await searchBox().fill('srch-3');
    const opt = page.getByTestId(`search-option-${KEY}-3`);
    await opt.waitFor();
    assert.equal(await options().first().getAttribute('data-testid'), `search-option-${KEY}-3`);
    await opt.click();
    await page.waitForURL(new RegExp(`/projects/${KEY}/tasks/3$`));
  });

  step('save the current filters and layout as a shared view', async () => {
    await page.goto(`/projects/${KEY}/list?priority=high&sort=number`);
    await page.getByRole('row').nth(2).waitFor();
    await page.getByTestId('views-menu').click();
    await page.getByLabel('View name').fill('High priority');
    await page.getByLabel('Share with the project').check();
    await page.getByRole('button', { name: 'Save current view' }).click();
    // The page now shows exactly that view: the picker names it.
    await page.getByTestId('views-menu').filter({ hasText: 'High priority' }).waitFor();
    await shot('view-saved');
  });

  step('reopen the view from another page', async () => {
    await page.goto(`/projects/${KEY}/board`);
    const menu = page.getByTestId('views-menu');
    await menu.waitFor();
    assert.equal((await menu.innerText()).trim(), 'Views');
    await menu.click();
    await page.getByRole('link', { name: /High priority/ }).click();
    await page.waitForURL(/\/projects\/SRCH\/list\?/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('priority'), 'high');
    assert.equal(url.searchParams.get('sort'), 'number');
    await page.getByTestId('views-menu').filter({ hasText: 'High priority' }).waitFor();
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    const text = await rows.allInnerTexts();
    assert.equal(text.length, 2);
    assert.ok(text.every((t) => !/Deploy pipeline/.test(t)));
    await shot('view-reopened');
  });

  step('delete the view', async () => {
    await page.getByTestId('views-menu').click();
    await page.getByRole('button', { name: 'Delete view “High priority”' }).click();
    await page.getByText('No saved views yet').waitFor();
    const token = await stack.login(ADMIN.email, ADMIN.password);
    const views = await stack.api<{ items: unknown[] }>(
      'GET',
      `/projects/${KEY}/views`,
      undefined,
      token,
    );
    assert.deepEqual(views.items, []);
  });
});

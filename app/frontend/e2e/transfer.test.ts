// Project settings → Import / Export in Chromium against the real stack: the CSV export is
// downloaded (and is quoted and formula-guarded), a Trello board export is uploaded, its dry-run
// preview lists what will be created and what cannot be mapped, and after the confirmation the
// tasks are on the board.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ADMIN,
  frontendDir,
  screenshotDir,
  startStack,
  type Stack,
  logsOnFailure,
} from './harness.ts';

let stack: Stack;
let ctx: BrowserContext;
let page: Page;
let token: string;
const TRELLO = join(
  frontendDir,
  '..',
  'backend',
  'test',
  'fixtures',
  'transfer',
  'trello-board.json',
);

/** The Import / Export section scrolled into view (the sidebar is fixed, so no full-page shots). */
const shot = async (name: string) => {
  await page.getByRole('region', { name: 'Import / Export' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshotDir, `transfer-${name}.png`) });
};

describe('import and export in project settings', { timeout: 300_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('transfer');
    token = await stack.login(ADMIN.email, ADMIN.password);
    await stack.api('POST', '/projects', { key: 'EXP', name: 'Export me' }, token);
    await stack.api(
      'POST',
      '/projects/EXP/tasks',
      { title: '=1+1 is not a formula', description: 'two\nlines, "quoted"', priority: 'high' },
      token,
    );
    await stack.api('POST', '/projects/EXP/tasks', { title: 'Second task' }, token);
    await stack.api('POST', '/projects', { key: 'TRL', name: 'From Trello' }, token);
    ctx = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    ctx.setDefaultTimeout(20_000);
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

  it('downloads the tasks as CSV', async () => {
    await page.goto('/projects/EXP/settings');
    const section = page.getByRole('region', { name: 'Import / Export' });
    await section.waitFor();
    await shot('export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^EXP-tasks-\d{4}-\d{2}-\d{2}\.csv$/);
    const path = await download.path();
    const text = await readFile(path, 'utf8');
    const lines = text.replace(/^\uFEFF/, '').split('\r\n');
    assert.match(lines[0] ?? '', /^Key,Title,Description,State,Priority,/);
    assert.match(text, /EXP-1,'=1\+1 is not a formula,"two\nlines, ""quoted""",Backlog,high,/);
    assert.match(text, /EXP-2,Second task,/);
  });

  it('imports a Trello board: preview with the unmapped report, then the tasks on the board', async () => {
    await page.goto('/projects/TRL/settings');
    const section = page.getByRole('region', { name: 'Import / Export' });
    await section.waitFor();
    await section.getByLabel('File to import').setInputFiles(TRELLO);
    await section.getByLabel('Format').selectOption('trello');
    await section.getByRole('button', { name: 'Preview import' }).click();
    const preview = section.getByTestId('import-preview');
    await preview.waitFor();
    assert.match(
      await section.getByTestId('import-counts').innerText(),
      /Trello board: 6 tasks, 2 of them subtasks, 2 comments, 1 new state, 3 new labels/,
    );
    const report = section.getByRole('table', { name: 'Not imported' });
    assert.match(await report.innerText(), /list "Old ideas"\s+archived list/);
    assert.match(
      await report.innerText(),
      /card "New colour palette"\s+attachments\s+1 attachment/,
    );
    await shot('trello-preview');
    await report.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotDir, 'transfer-trello-unmapped.png') });
    // The dry run created nothing.
    const before = await stack.api<{ items: unknown[] }>(
      'GET',
      '/projects/TRL/tasks',
      undefined,
      token,
    );
    assert.equal(before.items.length, 0);

    await section.getByRole('button', { name: 'Import 6 tasks' }).click();
    const result = section.getByTestId('import-result');
    await result.waitFor();
    assert.match(await result.innerText(), /Imported 6 tasks \(TRL-1 … TRL-6\), 2 comments/);
    await shot('trello-result');

    await result.getByRole('link', { name: 'Open the board' }).click();
    await page.waitForURL(/\/projects\/TRL\/board/);
    for (const title of ['Fix the login redirect', 'New colour palette', 'Set up analytics'])
      await page.getByText(title, { exact: true }).first().waitFor();
    // The imported cards are in the project's Todo column and the new Doing column.
    await page
      .getByText('Fix the login redirect', { exact: true })
      .first()
      .scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotDir, 'transfer-trello-board.png') });
    const after = await stack.api<{ items: { title: string }[] }>(
      'GET',
      '/projects/TRL/tasks',
      undefined,
      token,
    );
    assert.equal(after.items.length, 6);
  });

  it('says why a file is refused: over the size limit (through the gateway), malformed CSV', async () => {
    await page.goto('/projects/TRL/settings');
    const section = page.getByRole('region', { name: 'Import / Export' });
    await section.waitFor();
    const file = section.getByLabel('File to import');
    await file.setInputFiles({
      name: 'huge.csv',
      mimeType: 'text/csv',
      buffer: Buffer.alloc(5 * 1024 * 1024 + 10, 'a'),
    });
    await section.getByLabel('Format').selectOption('csv');
    await section.getByRole('button', { name: 'Preview import' }).click();
    const alert = section.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /larger than the import limit of 5 MiB/);
    await file.setInputFiles({
      name: 'broken.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Title,State\nok,Todo\n"never closed,Todo\n'),
    });
    await section.getByRole('button', { name: 'Preview import' }).click();
    await section.getByText(/Malformed CSV at line 3/).waitFor();
    await shot('malformed');
    const tasks = await stack.api<{ items: unknown[] }>(
      'GET',
      '/projects/TRL/tasks',
      undefined,
      token,
    );
    assert.equal(tasks.items.length, 6);
  });
});

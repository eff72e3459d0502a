// The API reference page (/api/docs) in Chromium, under its real CSP: it renders operations from
// the OpenAPI document with their fields, filters them, and shows markup found in the document
// as text (a second server serves the same page for a document with hostile summaries).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { z } from 'zod';
import { testEnv } from '@pms/testenv';
import { launchOptions } from '@pms/testenv/browser';
import { DOCS_CSP, docsHtml } from '../src/platform/docs-page.ts';
import { Api } from '../src/platform/http.ts';
import { buildOpenApi } from '../src/platform/openapi.ts';
import { startHarness, type Harness } from './helpers.ts';

let h: Harness;
let browser: Browser;
let hostile: Server;
let hostileUrl: string;
const cspErrors: string[] = [];

const HOSTILE = '<img src=x onerror="window.__xss=1">';

/** A page that fails the test on any CSP violation or page error. */
async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
  });
  page.on('pageerror', (e) => cspErrors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('details.op');
  return page;
}

before(async () => {
  h = await startHarness('openapi-docs');
  browser = await chromium.launch(launchOptions(testEnv('chromium').chromiumPath));
  // The same page and document builder, for operations whose texts are markup.
  const app = express();
  const router = express.Router();
  const api = new Api(router, '/api/v1');
  api.op(
    {
      method: 'post',
      path: '/things',
      summary: `Create ${HOSTILE}`,
      tag: `tag ${HOSTILE}`,
      auth: 'user',
      body: z.object({ name: z.string().describe(`The name ${HOSTILE}`) }),
      response: z.strictObject({ id: z.string(), [HOSTILE]: z.enum(['a', HOSTILE]) }),
    },
    async () => ({}),
  );
  const doc = buildOpenApi(api.operations, { version: 'v1', serverUrl: 'http://x' });
  app.get('/api/v1/openapi.json', (_req, res) => res.json(doc));
  app.get('/api/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.type('html').send(docsHtml('/api/v1/openapi.json'));
  });
  hostile = app.listen(0, '127.0.0.1');
  await once(hostile, 'listening');
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
});
after(async () => {
  await browser?.close();
  hostile?.close();
  await h?.close();
});

test('the reference renders an operation with parameters, request and response fields', async () => {
  const page = await open(`${h.url}/api/docs`);
  assert.equal(await page.locator('section.tag h2', { hasText: /^tasks$/ }).count(), 1);
  const op = page.locator('details#post__api_v1_projects_project_tasks');
  await op.locator('summary').click();
  await op.locator('.op-body').waitFor();
  assert.match(
    await op.locator('summary').innerText(),
    /POST\s+\/api\/v1\/projects\/\{project\}\/tasks\s+Create a task/,
  );
  assert.match(await op.innerText(), /Auth: signed in/);
  // Path parameter row.
  const param = op.locator('table tr', { hasText: 'project' });
  assert.match(await param.innerText(), /project\s+path\s+string\s+yes/);
  // Request body: a required title with its limit; priority with its enum.
  const title = op.locator('li.field[data-field="title"]').first();
  assert.match(await title.innerText(), /title string required/);
  assert.match(
    await op.locator('li.field[data-field="description"]').first().innerText(),
    /description string \(max length 100000, default ""\)/,
  );
  assert.match(
    await op.locator('li.field[data-field="priority"]').first().innerText(),
    /priority string one of none, low, medium, high, urgent \(default "none"\)/,
  );
  // The 201 response is the Task component, expanded into its fields.
  const response = op.locator('.response');
  assert.match(await response.locator('h4').innerText(), /application\/json Task/);
  assert.match(
    await response.locator('li.field[data-field="key"]').innerText(),
    /key string required — <project key>-<number>, e.g. WEB-42/,
  );
  assert.match(
    await response.locator('li.field[data-field="dueDate"]').innerText(),
    /dueDate string \(date-time\) \| null required/,
  );
  // Error responses declared by the operation.
  assert.deepEqual(
    await op
      .locator('li.error')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))),
    ['400', '401', '403', '404', '429', 'default'],
  );
  await page.close();
});

test('the filter box narrows operations and tags (also by field name)', async () => {
  const page = await open(`${h.url}/api/docs`);
  const visible = () => page.locator('details.op:not(.hidden)').count();
  const all = await visible();
  assert.ok(all > 80, `${all} operations`);
  await page.fill('#q', 'webhooks rotate-secret');
  assert.equal(await visible(), 1);
  assert.match(await page.locator('details.op:not(.hidden) summary').innerText(), /rotate-secret/);
  assert.equal(await page.locator('section.tag:not(.hidden)').count(), 1);
  await page.fill('#q', 'users');
  assert.match(
    await page.locator('details#post__api_v1_users:not(.hidden) summary').innerText(),
    /POST\s+\/api\/v1\/users\s+Create a user \(admin\)\s+admin/,
  );
  await page.fill('#q', 'unreadCount');
  assert.match(
    await page.locator('details.op:not(.hidden) summary').first().innerText(),
    /GET\s+\/api\/v1\/notifications/,
  );
  await page.fill('#q', '');
  assert.equal(await visible(), all);
  await page.close();
});

test('markup in the document is shown as text, never run', async () => {
  const page = await open(`${hostileUrl}/api/docs`);
  const op = page.locator('details.op').first();
  await op.locator('summary').click();
  assert.equal(await op.locator('summary .muted').innerText(), `Create ${HOSTILE}`);
  assert.equal(await page.locator('section.tag h2').innerText(), `tag ${HOSTILE}`);
  assert.match(await op.innerText(), /The name <img src=x onerror/);
  assert.equal(await page.locator('#ops img').count(), 0);
  assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
  await page.close();
  assert.deepEqual(cspErrors, []);
});

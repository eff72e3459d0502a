// Project settings → Webhooks in Chromium against the real stack: create a webhook to a REAL
// receiver in this process (the backend runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true, since the
// receiver is on 127.0.0.1), see the secret once, send a test ping, and find it in the delivery
// log with its status code; the receiver checks the signature with that secret.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, screenshotDir, startStack, type Stack } from './harness.ts';

let stack: Stack;
let ctx: BrowserContext;
let page: Page;
const KEY = 'HOOK';
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(req.url === '/fail' ? 503 : 200).end();
  });
});

/** The Webhooks section scrolled into view (the sidebar is fixed, so no full-page shots). */
const shot = async (name: string) => {
  await page.getByRole('region', { name: 'Webhooks' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshotDir, `webhooks-${name}.png`) });
};

describe('webhooks in project settings', { timeout: 300_000 }, () => {
  before(async () => {
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    stack = await startStack('webhooks', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    const token = await stack.login(ADMIN.email, ADMIN.password);
    await stack.api('POST', '/projects', { key: KEY, name: 'Hooks' }, token);
    ctx = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1280, height: 900 },
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
    if (page) await shot('last').catch(() => undefined);
    await ctx?.close().catch(() => undefined);
    await stack?.close();
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('refuses a bad URL with the reason next to the field', async () => {
    await page.goto(`/projects/${KEY}/settings`);
    const section = page.getByRole('region', { name: 'Webhooks' });
    await section.getByText('No webhooks yet.').waitFor();
    await section.getByLabel('Payload URL').fill('ftp://example.com/hook');
    await section.getByRole('button', { name: 'Add webhook' }).click();
    await section.getByText('must use http or https').waitFor();
    assert.equal(await section.getByLabel('Payload URL').getAttribute('aria-invalid'), 'true');
  });

  it('creates a webhook, shows the secret once, sends a test and logs it', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/hook`;
    const section = page.getByRole('region', { name: 'Webhooks' });
    await section.getByLabel('Payload URL').fill(url);
    // Only two event types instead of all.
    await section.getByLabel('All events').uncheck();
    await section.getByRole('checkbox', { name: 'task.created' }).check();
    await section.getByRole('checkbox', { name: 'comment.created' }).check();
    await section.getByRole('button', { name: 'Add webhook' }).click();
    const secret = (await section.getByTestId('webhook-secret').innerText()).trim();
    assert.match(secret, /^whsec_/);
    const list = section.getByRole('list', { name: 'Webhooks' });
    await list.getByText(url).waitFor();
    assert.match(await list.innerText(), /task\.created, comment\.created/);
    await shot('created');
    await section.getByRole('button', { name: 'Done' }).click();
    assert.equal(await section.getByTestId('webhook-secret').count(), 0, 'shown once');

    await list.getByRole('button', { name: 'Send test' }).click();
    const row = list.getByTestId('delivery-row').first();
    await row.waitFor();
    assert.match(await row.innerText(), /ping[\s\S]*200 OK/);
    await shot('delivery-log');

    assert.equal(received.length, 1);
    const got = received[0];
    assert.ok(got);
    assert.equal(got.headers['x-pms-event'], 'ping');
    const ts = String(got.headers['x-pms-timestamp']);
    const want = `sha256=${createHmac('sha256', secret).update(`${ts}.${got.body}`).digest('hex')}`;
    assert.equal(got.headers['x-pms-signature'], want, 'signed with the secret the page showed');
  });

  it('shows a failed test with its status code, and edits the events', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const section = page.getByRole('region', { name: 'Webhooks' });
    const list = section.getByRole('list', { name: 'Webhooks' });
    await list.getByRole('button', { name: 'Edit' }).click();
    await list.getByLabel('Payload URL').fill(`http://127.0.0.1:${port}/fail`);
    await list.getByLabel('All events').check();
    await list.getByRole('button', { name: 'Save' }).click();
    await list.getByText('All events').first().waitFor();
    await list.getByText(`http://127.0.0.1:${port}/fail`).waitFor();
    await list.getByRole('button', { name: 'Send test' }).click();
    await list.getByRole('button', { name: 'Hide deliveries' }).waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="delivery-row"]')].some((r) =>
        /503 failed/.test((r as HTMLElement).innerText),
      ),
    );
    const rows = list.getByTestId('delivery-row');
    assert.match(await rows.first().innerText(), /503 failed[\s\S]*HTTP 503/);
    assert.equal(await rows.count(), 2);
    await shot('failed-test');
  });
});

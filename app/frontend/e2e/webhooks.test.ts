// Project settings → Webhooks in Chromium against the real stack: create a webhook to a REAL
// receiver in this process (the backend runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true, since the
// receiver is on 127.0.0.1), see the secret once, send a test ping, and find it in the delivery
// log with its status code; the receiver checks the signature with that secret.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import type { BrowserContext, Page } from 'playwright-core';
import { testEnv } from '@pms/testenv';
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
let worker: ChildProcess | undefined;
const workerLogs: string[] = [];
const KEY = 'HOOK';
// The harness runs no worker; deliveries of real events need one. The backend and the worker
// below share the database and queue named here (the harness takes them as overrides).
const id = randomBytes(3).toString('hex');
const shared = {
  MONGODB_DB: `fe_webhooks_${id}`,
  QUEUE_PREFIX: `fe-webhooks-${id}`,
  // The receiver is on 127.0.0.1.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  // Short retries so that an automatic disable happens within the test.
  WEBHOOK_MAX_ATTEMPTS: '2',
  WEBHOOK_BACKOFF_MS: '200',
  WEBHOOK_DISABLE_AFTER_FAILURES: '2',
};

function startWorker(): ChildProcess {
  const env = testEnv('mongodb', 'redis', 's3');
  const backendDir = join(frontendDir, '..', 'backend');
  const proc = spawn(process.execPath, [join(backendDir, 'src', 'worker.ts')], {
    cwd: backendDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      MONGODB_URI: env.mongodbUri,
      REDIS_URL: env.redisUrl,
      JWT_SECRET: randomBytes(32).toString('hex'),
      S3_ENDPOINT: env.s3.endpoint,
      S3_REGION: env.s3.region,
      S3_ACCESS_KEY: env.s3.accessKey,
      S3_SECRET_KEY: env.s3.secretKey,
      S3_BUCKET: `fe-webhooks-${id}`,
      ...shared,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => void workerLogs.push(d.toString());
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return proc;
}
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
  logsOnFailure(() => stack);
  before(async () => {
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    stack = await startStack('webhooks', shared);
    worker = startWorker();
    token = await stack.login(ADMIN.email, ADMIN.password);
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
    if (worker && worker.exitCode === null) {
      const exited = once(worker, 'exit');
      worker.kill('SIGTERM');
      await exited;
    }
    await stack?.close();
    // The harness drops the database it named; this one was named here.
    const env = testEnv('mongodb');
    const conn = await mongoose.createConnection(env.mongodbUri, { dbName: shared.MONGODB_DB });
    await conn.asPromise();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
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

  it('shows the automatic disable after failed deliveries of real events, and re-enables', async () => {
    const hooks = await stack.api<{ items: { id: string }[] }>(
      'GET',
      `/projects/${KEY}/webhooks`,
      undefined,
      token,
    );
    const hookId = hooks.items[0]?.id;
    assert.ok(hookId);
    // Two events → two deliveries of two attempts each, all answered 503 → switched off.
    await stack.api('POST', `/projects/${KEY}/tasks`, { title: 'First' }, token);
    await stack.api('POST', `/projects/${KEY}/tasks`, { title: 'Second' }, token);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const w = await stack.api<{ active: boolean }>(
        'GET',
        `/projects/${KEY}/webhooks/${hookId}`,
        undefined,
        token,
      );
      if (!w.active) break;
      if (Date.now() > deadline) assert.fail(`not disabled; worker:\n${workerLogs.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.reload();
    const section = page.getByRole('region', { name: 'Webhooks' });
    const list = section.getByRole('list', { name: 'Webhooks' });
    await list.getByTestId('webhook-state').getByText('Disabled automatically').waitFor();
    const reason = await list.getByTestId('webhook-disabled-reason').innerText();
    assert.match(
      reason,
      /Disabled automatically after 2 consecutive failed deliveries \(last error: HTTP 503\)/,
    );
    await list.getByRole('button', { name: 'Deliveries' }).click();
    await list.getByTestId('delivery-row').first().waitFor();
    const log = await list.getByRole('table', { name: 'Delivery log' }).innerText();
    assert.match(log, /task\.created[\s\S]*503 failed/);
    assert.match(log, /1 \(retrying\)/, 'a first attempt that was retried');
    await shot('auto-disabled');
    await list.getByRole('button', { name: 'Re-enable' }).click();
    await list.getByTestId('webhook-state').getByText('Active').waitFor();
    assert.equal(await list.getByTestId('webhook-disabled-reason').count(), 0);
  });
});

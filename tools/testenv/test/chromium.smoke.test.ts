// Debian's Chromium, driven by playwright-core, renders a page served on localhost.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { chromium } from 'playwright-core';
import { testEnv } from '../src/index.ts';
import { launchOptions } from '../src/browser.ts';

const env = testEnv('chromium');

it('renders a localhost page and runs its script', async () => {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(
      '<!doctype html><title>smoke</title><p id="out">static</p><script>document.getElementById("out").textContent = "rendered " + (6 * 7)</script>',
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch(launchOptions(env.chromiumPath));
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(await page.title(), 'smoke');
    assert.equal(await page.textContent('#out'), 'rendered 42');
  } finally {
    await browser.close();
    server.close();
  }
});

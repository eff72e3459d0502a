// The web app's own Content-Security-Policy (proxy.ts, lib/csp.ts): every page response carries
// it with a fresh nonce, every inline script Next or the layout renders carries that nonce, and a
// script injected without it is blocked and reported by the harness's violation watcher (which
// every other e2e suite relies on to fail on a violation).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startStack, type Stack, logsOnFailure } from './harness.ts';

let stack: Stack;

function nonceOf(csp: string | null): string {
  const m = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp ?? '');
  assert.ok(m?.[1], `no nonce in ${csp}`);
  return m[1];
}

describe('content security policy', { timeout: 300_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('csp');
  });
  after(async () => {
    await stack?.close();
  });

  it('sends the policy with a fresh nonce per response, and the scripts carry it', async () => {
    const nonces = new Set<string>();
    for (const path of ['/sign-in', '/sign-in', '/projects', '/does-not-exist']) {
      const r = await fetch(`${stack.baseUrl}${path}`, { redirect: 'manual' });
      const csp = r.headers.get('content-security-policy');
      assert.ok(csp, `${path}: no Content-Security-Policy header`);
      assert.match(csp, /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-eval/);
      // fetch joins repeated headers with ", ": one policy means one default-src.
      assert.equal(csp.split('default-src').length, 2, `${path}: one policy, got ${csp}`);
      const nonce = nonceOf(csp);
      nonces.add(nonce);
      const html = await r.text();
      if (!r.headers.get('content-type')?.includes('text/html')) continue;
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.ok(scripts.length > 3, `${path}: expected Next's scripts, got ${scripts.length}`);
      for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${path}: ${tag}`);
    }
    assert.equal(nonces.size, 4, 'every response gets its own nonce');
    // A prefetched document gets one too (it may be shown later).
    const prefetched = await fetch(`${stack.baseUrl}/sign-in`, {
      headers: { purpose: 'prefetch' },
    });
    assert.match(prefetched.headers.get('content-security-policy') ?? '', /'nonce-/);
    // JSON routes and build assets are not pages.
    const health = await fetch(`${stack.baseUrl}/api/health`);
    assert.equal(health.headers.get('content-security-policy'), null);
  });

  it('runs the nonced theme script and blocks an injected one', async () => {
    const ctx = await stack.browser.newContext({ baseURL: stack.baseUrl });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    try {
      // The layout's inline theme script runs before paint: it needs the nonce.
      await page.goto('/sign-in');
      await page.evaluate(() => localStorage.setItem('pms-theme', 'dark'));
      await page.reload();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/projects$/);
      assert.equal(stack.cspViolations.length, 0, stack.cspViolations.join('\n'));

      // An attacker's inline script (here added to the HTML on its way in) has no nonce.
      await page.route('**/sign-in', async (route) => {
        const res = await route.fetch();
        const body = (await res.text()).replace(
          '</head>',
          '<script>window.__injected = true</script></head>',
        );
        await route.fulfill({ response: res, body });
      });
      await page.goto('/sign-in');
      await page.getByLabel('Email').waitFor();
      assert.equal(await page.evaluate(() => '__injected' in window), false);
      await page.waitForTimeout(300);
      assert.ok(
        stack.cspViolations.some((v) => v.includes('[csp-violation] script-src')),
        `the watcher saw the blocked script: ${stack.cspViolations.join('\n')}`,
      );
      // Expected here: clear them so close() does not fail the suite.
      stack.cspViolations.length = 0;
    } finally {
      await ctx.close();
    }
  });
});

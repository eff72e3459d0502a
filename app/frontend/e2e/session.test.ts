// Session handling with a 4-second access token: silent refresh keeps the user signed in, a
// revoked session sends them to sign-in with a notice, and self-service sign-up works.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN, screenshotDir, startStack, type Stack, logsOnFailure } from './harness.ts';

let stack: Stack;

describe('sessions', { timeout: 300_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('session', { JWT_ACCESS_TTL: '4', ENABLE_REGISTRATION: 'true' });
  });
  after(async () => {
    await stack?.close();
  });

  it('refreshes the access token silently before it expires', async () => {
    const ctx = await stack.browser.newContext({ baseURL: stack.baseUrl });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    const refreshes: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/api/v1/auth/refresh')) refreshes.push(r.status());
    });
    try {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/projects$/);
      const before = refreshes.filter((s) => s === 200).length;
      // three token lifetimes later the page is still signed in, without a reload
      await page.waitForTimeout(12_000);
      const silent = refreshes.filter((s) => s === 200).length - before;
      assert.ok(silent >= 2, `expected at least 2 silent refreshes, saw ${silent} (${refreshes})`);
      await page.getByRole('button', { name: 'New project' }).click();
      await page.getByLabel('Name').fill('Mobile app');
      await page.getByLabel('Key').fill('APP');
      await page.getByRole('button', { name: 'Create project' }).click();
      await page.waitForURL(/\/projects\/APP\/board/);

      // Revoking every refresh token (a password change elsewhere) ends this session at the
      // next refresh: the user lands on sign-in with a notice and comes back after signing in.
      const token = await stack.login(ADMIN.email, ADMIN.password);
      await stack.api(
        'POST',
        '/auth/password',
        { currentPassword: ADMIN.password, newPassword: 'rotated-password-9' },
        token,
      );
      await page.waitForURL(/\/sign-in\?next=%2Fprojects%2FAPP%2Fboard&expired=1/);
      await page.getByText('Your session expired').waitFor();
      await page.screenshot({ path: join(screenshotDir, '13-session-expired.png') });
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill('rotated-password-9');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/projects\/APP\/board/);
    } finally {
      await ctx.close();
    }
  });

  it('a sign-in that finishes before the start-up refresh answers stays signed in', async () => {
    // The sign-in page asks /auth/refresh at start-up (no cookie yet: 401). On a slow machine
    // that answer can arrive after the user has signed in; it must not end the new session.
    await stack.api('POST', '/auth/register', {
      name: 'Rita Race',
      email: 'rita@example.com',
      password: 'race-condition-pass',
    });
    const ctx = await stack.browser.newContext({ baseURL: stack.baseUrl });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const answered: number[] = [];
    // The server's real answer to the cookie-less start-up refresh, handed to the page late.
    await page.route('**/api/v1/auth/refresh', async (route) => {
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    page.on('response', (r) => {
      if (r.url().endsWith('/api/v1/auth/refresh')) answered.push(r.status());
    });
    try {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill('rita@example.com');
      await page.getByLabel('Password').fill('race-condition-pass');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/projects$/);
      await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
      release();
      const deadline = Date.now() + 10_000;
      while (answered.length === 0 && Date.now() < deadline) await page.waitForTimeout(50);
      assert.equal(answered[0], 401, 'the start-up refresh answered late, with 401');
      await page.waitForTimeout(1_000);
      assert.match(page.url(), /\/projects$/, 'still signed in, not sent to sign-in');
      await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
    } finally {
      release();
      await ctx.close();
    }
  });

  it('signs up a new user when registration is enabled', async () => {
    const ctx = await stack.browser.newContext({ baseURL: stack.baseUrl });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    try {
      await page.goto('/sign-in');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.waitForURL(/\/sign-up/);
      await page.getByLabel('Name').fill('Sam Signup');
      await page.getByLabel('Email').fill('sam@example.com');
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.locator('.field-msg').first().waitFor();
      await page.getByLabel('Password').fill('long-enough-password');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/\/projects$/);
      await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
      const me = await stack.api<{ name: string }>(
        'GET',
        '/auth/me',
        undefined,
        await stack.login('sam@example.com', 'long-enough-password'),
      );
      assert.equal(me.name, 'Sam Signup');
    } finally {
      await ctx.close();
    }
  });

  it('answers 502 in the API error format when the backend is down, and says so on sign-in', async () => {
    await stack.stopBackend();
    const r = await fetch(`${stack.baseUrl}/api/v1/auth/config`);
    assert.equal(r.status, 502);
    assert.deepEqual(await r.json(), { error: 'bad_gateway', message: 'The API is not reachable' });
    const ctx = await stack.browser.newContext({ baseURL: stack.baseUrl });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    try {
      await page.goto('/projects');
      await page.waitForURL(/\/sign-in/);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill('whatever-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('.inline-error', { hasText: 'The API is not reachable' }).waitFor();
    } finally {
      await ctx.close();
    }
  });
});

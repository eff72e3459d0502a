// People in Chromium: an admin invites a colleague on an instance without SMTP (so the admin
// copies the link), the colleague accepts in another browser, signs in and sees the invited
// project; a password reset through an admin's link; forgot-password from the sign-in page;
// a project admin inviting from the project settings.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, screenshotDir, startStack, type Stack, logsOnFailure } from './harness.ts';

let stack: Stack;
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `people-${name}.png`), fullPage: false });

async function newContext(): Promise<BrowserContext> {
  const ctx = await stack.browser.newContext({ baseURL: stack.baseUrl });
  ctx.setDefaultTimeout(20_000);
  return ctx;
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/projects$/);
}

/** The link shown to the admin; also checks that "Copy link" puts exactly it on the clipboard. */
async function copiedLink(page: Page): Promise<string> {
  const shown = await page.getByTestId('issued-url').inputValue();
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByText('Link copied').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, shown);
  return copied;
}

describe('people', { timeout: 600_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('people');
    const token = await stack.login(ADMIN.email, ADMIN.password);
    await stack.api('POST', '/projects', { key: 'WEB', name: 'Website' }, token);
    await stack.api('POST', '/projects', { key: 'OPS', name: 'Operations' }, token);
  });
  after(async () => {
    await stack?.close();
  });

  it('an admin invites a colleague, who accepts in another browser and sees the project', async () => {
    const adminCtx = await newContext();
    await adminCtx.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: stack.baseUrl,
    });
    const colleagueCtx = await newContext();
    const admin = await adminCtx.newPage();
    const colleague = await colleagueCtx.newPage();
    try {
      await signIn(admin, ADMIN.email, ADMIN.password);
      await admin.getByRole('link', { name: 'People' }).click();
      await admin.waitForURL(/\/people$/);
      await admin.getByRole('heading', { name: 'People', level: 1 }).waitFor();
      await admin.getByTestId('person-row').filter({ hasText: ADMIN.email }).waitFor();

      await admin.getByRole('button', { name: 'Invite people' }).click();
      const dialog = admin.getByRole('dialog', { name: 'Invite people' });
      await dialog.getByLabel('E-mail address').fill('not-an-address');
      await dialog.getByRole('button', { name: 'Send invitation' }).click();
      await dialog.locator('.field-msg').first().waitFor();
      await dialog.getByLabel('E-mail address').fill('grace@example.com');
      await dialog.getByRole('checkbox', { name: /Website/ }).check();
      await dialog.getByLabel('Role in Website').selectOption('member');
      await shot(admin, '01-invite-form');
      await dialog.getByRole('button', { name: 'Send invitation' }).click();
      await admin.getByText('E-mail is not set up on this instance').waitFor();
      const link = await copiedLink(admin);
      assert.match(link, /\/invite\/[A-Za-z0-9_-]{43}$/);
      await admin.getByTestId('invitation-row').filter({ hasText: 'grace@example.com' }).waitFor();
      await shot(admin, '02-invite-link');

      // The colleague, in another browser, opens the link.
      await colleague.goto(link);
      await colleague.getByRole('heading', { name: 'Join your team on PMS' }).waitFor();
      await colleague
        .getByRole('list', { name: 'Projects you will join' })
        .getByText('Website')
        .waitFor();
      await colleague.getByLabel('Your name').fill('Grace Hopper');
      await colleague.getByLabel('Choose a password').fill('grace-password-1');
      await colleague.getByLabel('Repeat the password').fill('grace-password-1');
      await shot(colleague, '03-accept');
      await colleague.getByRole('button', { name: 'Create my account' }).click();
      await colleague.waitForURL(/\/projects$/);
      await colleague
        .getByRole('link', { name: /Website/ })
        .first()
        .waitFor();
      assert.equal(await colleague.getByText('Operations').count(), 0, 'only the invited project');
      // Not an admin: no People entry.
      assert.equal(await colleague.getByRole('link', { name: 'People' }).count(), 0);

      // Signing out and in again with the chosen password.
      await colleague.getByRole('button', { name: 'Sign out' }).click();
      await colleague.waitForURL(/\/sign-in/);
      await signIn(colleague, 'grace@example.com', 'grace-password-1');
      await colleague
        .getByRole('link', { name: /Website/ })
        .first()
        .waitFor();
      await shot(colleague, '04-colleague-projects');

      // The link is spent: opening it again says so.
      const again = await colleagueCtx.newPage();
      await again.goto(link);
      await again.getByTestId('link-error').filter({ hasText: 'already used' }).waitFor();
      await again.close();

      // The admin sees Grace as an active member and no pending invitation.
      await admin.reload();
      await admin.getByTestId('person-row').filter({ hasText: 'grace@example.com' }).waitFor();
      assert.equal(await admin.getByTestId('invitation-row').count(), 0);
    } finally {
      await adminCtx.close();
      await colleagueCtx.close();
    }
  });

  it('a password reset through the link an admin copied', async () => {
    const adminCtx = await newContext();
    await adminCtx.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: stack.baseUrl,
    });
    const oldCtx = await newContext();
    const userCtx = await newContext();
    const admin = await adminCtx.newPage();
    const old = await oldCtx.newPage();
    const user = await userCtx.newPage();
    try {
      // Grace is signed in somewhere: the reset ends that session.
      await signIn(old, 'grace@example.com', 'grace-password-1');

      await signIn(admin, ADMIN.email, ADMIN.password);
      await admin.goto('/people');
      const row = admin.getByTestId('person-row').filter({ hasText: 'grace@example.com' });
      await row.getByRole('button', { name: 'Reset link' }).click();
      await admin.getByText('E-mail is not set up on this instance').waitFor();
      const link = await copiedLink(admin);
      assert.match(link, /\/reset-password\/[A-Za-z0-9_-]{43}$/);
      await shot(admin, '05-reset-link');

      await user.goto(link);
      await user.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await user.getByText('grace@example.com').waitFor();
      await user.getByLabel('New password', { exact: true }).fill('grace-new-password');
      await user.getByLabel('Repeat the new password').fill('grace-new-password');
      await shot(user, '06-reset-form');
      await user.getByRole('button', { name: 'Set new password' }).click();
      await user.waitForURL(/\/projects$/);
      await user
        .getByRole('link', { name: /Website/ })
        .first()
        .waitFor();

      // The other session ended: its next refresh fails and it lands on sign-in.
      await old.reload();
      await old.waitForURL(/\/sign-in/);

      // The old password no longer works; the link cannot be used twice.
      await old.getByLabel('Email').fill('grace@example.com');
      await old.getByLabel('Password').fill('grace-password-1');
      await old.getByRole('button', { name: 'Sign in' }).click();
      await old.locator('.inline-error').waitFor();
      await old.goto(link);
      await old.getByTestId('link-error').filter({ hasText: 'already used' }).waitFor();
      await shot(old, '07-reset-link-used');
    } finally {
      await adminCtx.close();
      await oldCtx.close();
      await userCtx.close();
    }
  });

  it('forgot password from the sign-in page answers without revealing accounts', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    try {
      await page.goto('/sign-in');
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForURL(/\/forgot-password$/);
      await page.getByText('This instance does not send e-mail').waitFor();
      await page.getByLabel('Email').fill('nobody@example.com');
      await page.getByRole('button', { name: 'Send reset link' }).click();
      const unknown = await page.getByTestId('forgot-sent').textContent();
      await page.reload();
      await page.getByLabel('Email').fill('grace@example.com');
      await page.getByRole('button', { name: 'Send reset link' }).click();
      const known = await page.getByTestId('forgot-sent').textContent();
      assert.equal(known, unknown);
      await shot(page, '08-forgot-password');
    } finally {
      await ctx.close();
    }
  });

  it('a project admin invites from the project settings; an admin disables and re-enables', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    try {
      await signIn(page, ADMIN.email, ADMIN.password);
      await page.goto('/projects/OPS/settings');
      const section = page.locator('section', {
        has: page.getByRole('heading', { name: 'Invite by e-mail' }),
      });
      await section.getByLabel('E-mail address').fill('hal@example.com');
      await section.getByLabel('Role for the invited person').selectOption('viewer');
      await section.getByRole('button', { name: 'Invite' }).click();
      await section.getByTestId('issued-url').waitFor();
      const link = await section.getByTestId('issued-url').inputValue();
      assert.match(link, /\/invite\//);
      await section
        .getByRole('list', { name: 'Pending invitations' })
        .getByText('hal@example.com')
        .waitFor();
      await section.scrollIntoViewIfNeeded();
      await shot(page, '09-project-invite');

      await page.goto('/people');
      const row = page.getByTestId('person-row').filter({ hasText: 'grace@example.com' });
      page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: 'Disable' }).click();
      await row.getByText('Disabled').waitFor();
      await shot(page, '10-people-disabled');
      const denied = await fetch(`${stack.backendUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'grace@example.com', password: 'grace-new-password' }),
      });
      assert.equal(denied.status, 401);
      await row.getByRole('button', { name: 'Enable' }).click();
      await row.getByText('Active').waitFor();
      await stack.login('grace@example.com', 'grace-new-password');
    } finally {
      await ctx.close();
    }
  });
});

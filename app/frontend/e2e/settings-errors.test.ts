// Errors in the settings pages are shown where the user acted: next to the control that failed
// (in view, with the control marked aria-invalid), field errors from the API's 400
// `details[].path` on the matching field, and never only in a toast. Screenshots
// e2e/screenshots/settings-error-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { ADMIN, screenshotDir, startStack, type Stack, logsOnFailure } from './harness.ts';

let stack: Stack;
let ctx: BrowserContext;
let page: Page;
let token: string;
const KEY = 'SET';

/** The message is in view, and starts within `px` pixels below the control it is about. */
async function nextTo(message: Locator, control: Locator, px = 60): Promise<void> {
  const [m, c] = [await message.boundingBox(), await control.boundingBox()];
  assert.ok(m && c, 'both are visible');
  const gap = m.y - (c.y + c.height);
  assert.ok(gap >= -2 && gap <= px, `the message is right under the control (gap ${gap} px)`);
  const inView = await message.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  assert.ok(inView, 'the message is in view');
}

describe('settings errors', { timeout: 300_000 }, () => {
  logsOnFailure(() => stack);
  before(async () => {
    stack = await startStack('settings-errors');
    token = await stack.login(ADMIN.email, ADMIN.password);
    await stack.api('POST', '/projects', { key: KEY, name: 'Settings' }, token);
    for (const name of ['bug', 'feature'])
      await stack.api('POST', `/projects/${KEY}/labels`, { name, color: '#3366ff' }, token);
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

  it('a duplicate label name (409) is shown under that label, which keeps the typed name', async () => {
    await page.goto(`/projects/${KEY}/settings`);
    const input = page.getByLabel('Name of label feature');
    await input.fill('bug');
    await input.blur();
    const row = page.locator('li', { has: input });
    const alert = row.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /A label with this name exists/);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await input.inputValue(), 'bug', 'the typed name is kept to be corrected');
    await nextTo(alert, input);
    await row.screenshot({ path: join(screenshotDir, 'settings-error-label-duplicate.png') });
    // The same conflict from the add form is shown under that form's field.
    const add = page.getByLabel('New label name');
    await add.fill('feature');
    await page.getByRole('button', { name: 'Add label' }).click();
    const addMsg = page.locator('#new-label-error');
    await addMsg.waitFor();
    assert.match(await addMsg.innerText(), /A label with this name exists/);
    assert.equal(await add.getAttribute('aria-invalid'), 'true');
    await nextTo(addMsg, add);
    // The row still holds its refused name, so it keeps its own message.
    assert.equal(await alert.count(), 1);
    // Correcting the name saves it and clears the message.
    await add.fill('chore');
    await page.getByRole('button', { name: 'Add label' }).click();
    await addMsg.waitFor({ state: 'detached' });
    await page.getByLabel('Name of label chore').waitFor();
    await input.fill('feature request');
    await input.blur();
    await page.getByLabel('Name of label feature request').waitFor();
    const labels = page.locator('section[aria-labelledby="s-labels"]');
    assert.equal(await labels.getByRole('alert').count(), 0, 'no error left in Labels');
  });

  it('an invalid state name (400) is shown on the state name field', async () => {
    const name = page.getByLabel('New state name');
    await name.fill('x'.repeat(60));
    const answer = page.waitForResponse(
      (r) => r.url().endsWith(`/projects/${KEY}/states`) && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Add state' }).click();
    const r = await answer;
    assert.equal(r.status(), 400);
    const body = (await r.json()) as { details: { path: string }[] };
    assert.ok(
      body.details.some((d) => d.path === 'body.name'),
      'the API names the field',
    );
    const msg = page.locator('#new-state-error');
    await msg.waitFor();
    assert.equal(await msg.getAttribute('class'), 'field-msg');
    assert.doesNotMatch(await msg.innerText(), /^name:/, 'the field message, not the summary');
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.equal(await name.getAttribute('aria-describedby'), 'new-state-error');
    await nextTo(msg, name);
    const form = page.locator('form', { has: name });
    await form.screenshot({ path: join(screenshotDir, 'settings-error-state-name.png') });
  });

  it('a wrong current password is shown on the Current password field', async () => {
    await page.goto('/settings');
    const current = page.getByLabel('Current password');
    await current.fill('not-my-password');
    await page.getByLabel('New password', { exact: true }).fill('another-password-1');
    await page.getByLabel('Confirm new password').fill('another-password-1');
    await page.getByRole('button', { name: 'Change password' }).click();
    const msg = page.locator('#pw-current-error');
    await msg.waitFor();
    assert.match(await msg.innerText(), /wrong/);
    assert.equal(await current.getAttribute('aria-invalid'), 'true');
    await nextTo(msg, current);
    // No second copy of it elsewhere on the form.
    assert.equal(
      await page.locator('section[aria-labelledby="a-password"] [role=alert]').count(),
      0,
    );
    await page
      .locator('section[aria-labelledby="a-password"]')
      .screenshot({ path: join(screenshotDir, 'settings-error-password.png') });
  });

  it('a refused profile name (400) is shown on the Name field', async () => {
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('y'.repeat(300));
    await page.getByRole('button', { name: 'Save profile' }).click();
    const msg = page.locator('#profile-name-error');
    await msg.waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await nextTo(msg, name);
  });
});

// What a tenant's user does in the PMS web app, reached through the ingress by its host name.
// Selectors are the accessible names the app's own end-to-end tests use (app/frontend/e2e).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Locator, Page } from 'playwright-core';

export class Ui {
  private readonly page: Page;
  private readonly host: string;
  private readonly ingressIp: string;
  private credentials: { email: string; password: string } | undefined;

  constructor(page: Page, baseUrl: string, ingressIp: string) {
    this.page = page;
    this.host = new URL(baseUrl).host;
    this.ingressIp = ingressIp;
  }

  /** A first visit: the app sends an anonymous user to the sign-in form. */
  async signIn(email: string, password: string): Promise<void> {
    this.credentials = { email, password };
    // An instance is Ready before the ingress controller has read its Ingress (Traefik answers
    // 404 until then): try again for a while, as a user reloading the page would.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await this.page.goto('/projects');
      if (res?.status() !== 404 || Date.now() > deadline) break;
      await this.page.waitForTimeout(1000);
    }
    await this.page.waitForURL(/\/sign-in/);
    await this.submitSignInForm();
  }

  private async submitSignInForm(): Promise<void> {
    if (!this.credentials) throw new Error('sign in first');
    await this.page.getByLabel('Email').fill(this.credentials.email);
    await this.page.getByLabel('Password').fill(this.credentials.password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    // A password check costs bcrypt's cost-12 CPU time on a 2-core machine that may be busy
    // with the post-restore backup: allow it more than a click's usual wait.
    await this.page.waitForURL((u) => !u.pathname.startsWith('/sign-in'), { timeout: 90_000 });
  }

  /**
   * Opens a page, signing in again on the form when the session did not survive: a restore puts
   * back the database as it was at backup time, so a refresh token rotated since then is unknown.
   */
  private async open(path: string): Promise<void> {
    // After a restore or a roll-out the instance is Ready before the ingress controller routes
    // to the new pods: the page then says the server is not reachable. Reload for a while, as a
    // user would.
    const deadline = Date.now() + 120_000;
    for (;;) {
      await this.page.goto(path);
      // Not 'networkidle': a signed-in page holds the live event stream (/me/events) open, so
      // the network never goes idle. The app has settled when it shows either the sign-in form
      // or the signed-in shell.
      await this.page
        .getByRole('button', { name: /^Sign (in|out)$/ })
        .first()
        .waitFor({ timeout: 90_000 });
      await this.page.waitForTimeout(1500);
      const unreachable = await this.page.getByText('The server is not reachable').count();
      if (unreachable === 0 || Date.now() > deadline) break;
      await this.page.waitForTimeout(2000);
    }
    if (/\/sign-in/.test(this.page.url())) {
      await this.submitSignInForm();
      await this.page.goto(path);
    }
  }

  private column(state: string): Locator {
    return this.page.locator(`section.column[data-state="${state}"]`);
  }

  async createProject(name: string, key: string): Promise<void> {
    await this.open('/projects');
    await this.page.getByRole('button', { name: 'New project' }).click();
    await this.page.getByLabel('Name').fill(name);
    await this.page.getByLabel('Key').fill(key);
    await this.page.getByRole('button', { name: 'Create project' }).click();
    await this.page.waitForURL(new RegExp(`/projects/${key}/board`));
    await this.column('Todo').waitFor();
  }

  async quickAddTask(state: string, title: string): Promise<void> {
    const col = this.column(state);
    await col.getByRole('button', { name: `Add a task to ${state}` }).click();
    const input = col.getByLabel(`New task title in ${state}`);
    await input.fill(title);
    await input.press('Enter');
    await col.getByText(title).waitFor();
    await input.press('Escape');
  }

  /**
   * HTML5 drag and drop with real mouse input; Chromium fires `drop` only after a `dragover`
   * the page accepted, so the pointer moves in steps over the target.
   */
  async moveTask(taskKey: string, state: string): Promise<void> {
    const card = this.page.getByTestId(`card-${taskKey}`);
    const target = this.column(state).locator('.column-body');
    const a = await card.boundingBox();
    const b = await target.boundingBox();
    if (!a || !b) throw new Error('drag: card or column not visible');
    const moved = this.page.waitForResponse(
      (r) => r.url().includes('/move') && r.request().method() === 'POST',
    );
    await this.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2 - 6, { steps: 6 });
    await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 2 });
    await this.page.mouse.up();
    assert.equal((await moved).status(), 200);
    await this.page.reload();
    await this.column(state).getByTestId(`card-${taskKey}`).waitFor();
  }

  private async downloadAttachment(taskKey: string, filename: string): Promise<string> {
    const panel = this.page.getByRole('dialog', { name: `Task ${taskKey}` });
    const button = panel.getByRole('button', { name: `Download ${filename}` });
    await button.waitFor();
    const download = this.page.waitForEvent('download');
    await button.click();
    const file = await download;
    assert.equal(file.suggestedFilename(), filename);
    const chunks: Buffer[] = [];
    for await (const c of await file.createReadStream()) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async uploadAndDownload(taskKey: string, filename: string, content: string): Promise<void> {
    await this.page.getByTestId(`card-${taskKey}`).click();
    const panel = this.page.getByRole('dialog', { name: `Task ${taskKey}` });
    await panel.waitFor();
    await panel.getByLabel('Upload attachments').setInputFiles({
      name: filename,
      mimeType: 'text/plain',
      buffer: Buffer.from(content),
    });
    assert.equal(await this.downloadAttachment(taskKey, filename), content);
    await this.page.keyboard.press('Escape');
    await this.page.waitForURL((u) => !u.search.includes('task='));
  }

  async screenshot(path: string, projectKey: string): Promise<void> {
    await this.open(`/projects/${projectKey}/board`);
    await this.column('Todo').waitFor();
    await this.page.screenshot({ path, fullPage: false });
  }

  /** A plain HTTP call to the API through the ingress, as a script of the tenant would make. */
  private api(method: string, path: string, body?: unknown, token?: string) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: this.ingressIp,
          port: 80,
          method,
          path: `/api/v1${path}`,
          headers: {
            host: this.host,
            ...(payload ? { 'content-type': 'application/json' } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async deleteProjectThroughApi(key: string): Promise<void> {
    if (!this.credentials) throw new Error('sign in first');
    const login = await this.api('POST', '/auth/login', this.credentials);
    assert.equal(login.status, 200, login.body);
    const token = (JSON.parse(login.body) as { accessToken: string }).accessToken;
    const del = await this.api('DELETE', `/projects/${key}`, undefined, token);
    assert.equal(del.status, 204, del.body);
  }

  async expectNoProject(name: string): Promise<void> {
    await this.open('/projects');
    await this.page.getByRole('link', { name }).first().waitFor({ state: 'detached' });
  }

  async expectRestored(
    projectKey: string,
    taskKey: string,
    title: string,
    state: string,
    filename: string,
    content: string,
  ): Promise<void> {
    await this.open(`/projects/${projectKey}/board`);
    const card = this.column(state).getByTestId(`card-${taskKey}`);
    await card.waitFor();
    await card.getByText(title).waitFor();
    await card.click();
    assert.equal(await this.downloadAttachment(taskKey, filename), content);
    await this.page.keyboard.press('Escape');
  }
}

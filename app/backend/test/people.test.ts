// People: invitations (instance and project admins), accepting them, the admin's user
// management (disable, re-enable, role, last admin) and password resets. E-mails go API →
// BullMQ → worker → SMTP and arrive at a real SMTP server (smtp-server) in this process; without
// SMTP_HOST the API hands the link to the admin instead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { PasswordReset } from '../src/auth/model.ts';
import { Invitation } from '../src/invitations/model.ts';
import { startWorker } from '../src/jobs/worker.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

const V = '/api/v1';

interface Mail {
  to: string[];
  text: string;
}

/** The message text with quoted-printable soft breaks and escapes undone. */
function decode(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const tokenIn = (text: string, page: 'invite' | 'reset-password'): string => {
  const m = new RegExp(`/${page}/([A-Za-z0-9_-]{20,})`).exec(text);
  assert.ok(m?.[1], `a /${page}/ link in:\n${text}`);
  return m[1];
};

const anon = (h: Harness) => new Client(h.url);

describe('with SMTP: invitations and password resets are e-mailed', () => {
  const inbox: Mail[] = [];
  let smtp: SMTPServer;
  let h: Harness;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let admin: Client;

  const mailTo = async (to: string, after = 0): Promise<Mail> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const m = inbox.slice(after).find((x) => x.to.includes(to));
      if (m) return m;
      if (Date.now() > deadline) assert.fail(`no e-mail to ${to} arrived`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          inbox.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            text: decode(Buffer.concat(chunks).toString('utf8')),
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const port = (smtp.server.address() as { port: number }).port;
    h = await startHarness('people-smtp', {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(port),
      SMTP_SECURE: 'false',
      EMAIL_FROM: 'PMS <pms@example.com>',
      FRONTEND_URL: 'https://pms.example.com',
    });
    worker = await startWorker(loadConfig(h.env), createLogger('silent'), { ownDb: false });
    admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
  });
  after(async () => {
    await worker?.close();
    await h?.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  test('an invitation is e-mailed (the link is not returned), accepted once, and joins the project', async () => {
    const p = await admin.post(`${V}/projects`, { key: 'WEB', name: 'Website' });
    assert.equal(p.status, 201);
    assert.equal((await anon(h).get(`${V}/auth/config`)).body.emailEnabled, true);
    const r = await admin.post(`${V}/invitations`, {
      email: 'Grace@Example.com',
      role: 'member',
      projects: [{ projectId: p.body.id, role: 'member' }],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.emailed, true);
    assert.equal(r.body.acceptUrl, undefined, 'an e-mailed link is not shown');
    assert.equal(r.body.invitation.email, 'grace@example.com');
    assert.equal(r.body.invitation.status, 'pending');
    assert.deepEqual(r.body.invitation.projects, [
      { projectId: p.body.id, key: 'WEB', name: 'Website', role: 'member' },
    ]);
    // Only the hash is stored.
    const stored = await Invitation.findById(r.body.invitation.id).lean();
    assert.ok(stored && stored.tokenHash.length === 64);

    const mail = await mailTo('grace@example.com');
    assert.match(mail.text, /Subject: Ada Admin invited you to PMS/);
    assert.match(mail.text, /\(Website\)/);
    assert.match(mail.text, /expires in 7 days/);
    assert.match(mail.text, /https:\/\/pms\.example\.com\/invite\//);
    const token = tokenIn(mail.text, 'invite');
    assert.notEqual(stored?.tokenHash, token);

    const look = await anon(h).post(`${V}/auth/invitations/lookup`, { token });
    assert.equal(look.status, 200);
    assert.equal(look.body.email, 'grace@example.com');
    assert.equal(look.body.invitedBy, 'Ada Admin');
    assert.deepEqual(look.body.projects, [{ key: 'WEB', name: 'Website', role: 'member' }]);

    const acc = await anon(h).post(`${V}/auth/invitations/accept`, {
      token,
      name: 'Grace Hopper',
      password: 'grace-password-1',
    });
    assert.equal(acc.status, 201, JSON.stringify(acc.body));
    assert.equal(acc.body.user.role, 'member');
    const grace = await new Client(h.url).login('grace@example.com', 'grace-password-1');
    const projects = await grace.get(`${V}/projects`);
    assert.deepEqual(
      projects.body.items.map((x: { key: string; role: string }) => [x.key, x.role]),
      [['WEB', 'member']],
    );
    const activity = await admin.get(`${V}/projects/WEB/activity`);
    assert.ok(
      activity.body.items.some(
        (a: { action: string; actorName: string }) =>
          a.action === 'member.added' && a.actorName === 'Grace Hopper',
      ),
    );
    const listed = await admin.get(`${V}/invitations?status=all`);
    assert.equal(listed.body.items[0].status, 'accepted');
    assert.equal((await admin.get(`${V}/invitations`)).body.items.length, 0, 'none pending');

    // The link is single-use.
    const again = await anon(h).post(`${V}/auth/invitations/accept`, {
      token,
      name: 'Mallory',
      password: 'mallory-password-1',
    });
    assert.equal(again.status, 410);
    assert.equal(again.body.error, 'gone');
    assert.equal(again.body.reason, 'accepted');
    assert.equal((await anon(h).post(`${V}/auth/invitations/lookup`, { token })).status, 410);
  });

  test('forgotten password: the same answer for any address, an e-mail only to a real account, a single-use link that ends sessions', async () => {
    const bob = await userClient(h, admin, 'Bob');
    const sent = inbox.length;
    const known = await anon(h).post(`${V}/auth/password/forgot`, { email: 'BOB@example.com' });
    const unknown = await anon(h).post(`${V}/auth/password/forgot`, {
      email: 'nobody@example.com',
    });
    assert.equal(known.status, 202);
    assert.equal(unknown.status, 202);
    assert.deepEqual(known.body, unknown.body);
    assert.equal(known.headers.get('ratelimit-policy'), unknown.headers.get('ratelimit-policy'));

    const mail = await mailTo(bob.email, sent);
    assert.match(mail.text, /Subject: Reset your PMS password/);
    assert.match(mail.text, /expires in 1 hour\./);
    const token = tokenIn(mail.text, 'reset-password');
    assert.equal((await PasswordReset.countDocuments({})) >= 1, true);

    const check = await anon(h).post(`${V}/auth/password/check`, { token });
    assert.equal(check.status, 200);
    assert.equal(check.body.email, bob.email);
    assert.equal(
      (await anon(h).post(`${V}/auth/password/reset`, { token, password: 'short' })).body.details[0]
        .path,
      'body.password',
    );
    const reset = await anon(h).post(`${V}/auth/password/reset`, {
      token,
      password: 'bob-new-password',
    });
    assert.equal(reset.status, 204);
    // Existing sessions end: the old access token is refused, the refresh cookie is revoked.
    assert.equal((await bob.client.get(`${V}/auth/me`)).status, 401);
    assert.equal((await bob.client.post(`${V}/auth/refresh`)).status, 401);
    const oldLogin = await anon(h).post(`${V}/auth/login`, {
      email: bob.email,
      password: 'password-123',
    });
    assert.equal(oldLogin.status, 401);
    await new Client(h.url).login(bob.email, 'bob-new-password');
    const reused = await anon(h).post(`${V}/auth/password/reset`, {
      token,
      password: 'another-password',
    });
    assert.equal(reused.status, 410);
    assert.equal(reused.body.reason, 'used');

    // Nothing was sent for the unknown address.
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!inbox.some((m) => m.to.includes('nobody@example.com')));
  });

  test('at most 3 reset e-mails per account per hour, whoever asks', async () => {
    const cy = await userClient(h, admin, 'Cy');
    const sent = inbox.length;
    for (let i = 0; i < 5; i++) {
      const r = await anon(h).post(`${V}/auth/password/forgot`, { email: cy.email });
      assert.equal(r.status, 202);
    }
    const deadline = Date.now() + 20_000;
    const count = () => inbox.slice(sent).filter((m) => m.to.includes(cy.email)).length;
    while (count() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(count(), 3);
  });
});

describe('without SMTP: links are handed to the admin; bad inputs', () => {
  let h: Harness;
  let admin: Client;
  let projectId: string;

  before(async () => {
    h = await startHarness('people');
    admin = await new Client(h.url).login(ADMIN.email, ADMIN.password);
    const p = await admin.post(`${V}/projects`, { key: 'OPS', name: 'Operations' });
    projectId = p.body.id;
  });
  after(async () => {
    await h?.close();
  });

  const invite = async (email: string, extra: Record<string, unknown> = {}) => {
    const r = await admin.post(`${V}/invitations`, { email, ...extra });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.emailed, false);
    assert.match(r.body.acceptUrl, /^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{43}$/);
    return { id: r.body.invitation.id as string, token: tokenIn(r.body.acceptUrl, 'invite') };
  };
  const accept = (token: string, name = 'New Person', password = 'new-password-1') =>
    anon(h).post(`${V}/auth/invitations/accept`, { token, name, password });

  test('the admin gets the accept link to copy, and an admin invitation makes an admin', async () => {
    assert.equal((await anon(h).get(`${V}/auth/config`)).body.emailEnabled, false);
    const inv = await invite('carol@example.com', {
      role: 'admin',
      projects: [{ projectId, role: 'viewer' }],
    });
    const r = await accept(inv.token, 'Carol');
    assert.equal(r.status, 201);
    assert.equal(r.body.user.role, 'admin');
    const carol = await new Client(h.url).login('carol@example.com', 'new-password-1');
    assert.equal((await carol.get(`${V}/invitations`)).status, 200);
    const members = await admin.get(`${V}/projects/OPS/members`);
    assert.ok(
      members.body.items.some(
        (m: { email: string; role: string }) =>
          m.email === 'carol@example.com' && m.role === 'viewer',
      ),
    );
  });

  test('bad invitation input is refused naming the field', async () => {
    const bad = async (body: unknown, path: string, status = 400) => {
      const r = await admin.post(`${V}/invitations`, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.ok(
        (r.body.details ?? []).some((d: { path: string }) => d.path === path),
        `${path} in ${JSON.stringify(r.body)}`,
      );
    };
    await bad({ email: 'not-an-email' }, 'body.email');
    await bad({ email: 'x@example.com', role: 'owner' }, 'body.role');
    await bad(
      { email: 'x@example.com', projects: [{ projectId, role: 'boss' }] },
      'body.projects.0.role',
    );
    await bad(
      { email: 'x@example.com', projects: [{ projectId: 'f'.repeat(24), role: 'member' }] },
      'body.projects.0.projectId',
    );
    await bad(
      {
        email: 'x@example.com',
        projects: [
          { projectId, role: 'member' },
          { projectId, role: 'admin' },
        ],
      },
      'body.projects',
    );
    await bad({ email: ADMIN.email }, 'body.email', 409);
    await bad({ email: 'x@example.com', extra: 1 }, 'body');
  });

  test('expired, revoked, renewed, unknown and malformed links', async () => {
    const expired = await invite('dan@example.com');
    await Invitation.updateOne(
      { _id: expired.id },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    const e1 = await anon(h).post(`${V}/auth/invitations/lookup`, { token: expired.token });
    assert.equal(e1.status, 410);
    assert.equal(e1.body.reason, 'expired');
    assert.match(e1.body.message, /expired/);
    assert.equal((await accept(expired.token)).status, 410);
    assert.equal(
      (await admin.get(`${V}/invitations?status=all`)).body.items.find(
        (i: { id: string }) => i.id === expired.id,
      ).status,
      'expired',
    );

    // A new link for the expired invitation: the old one stays dead, the new one works.
    const renewed = await admin.post(`${V}/invitations/${expired.id}/renew`);
    assert.equal(renewed.status, 200);
    const fresh = tokenIn(renewed.body.acceptUrl, 'invite');
    assert.equal((await accept(expired.token)).status, 404);
    assert.equal((await accept(fresh, 'Dan')).status, 201);

    const revoked = await invite('erin@example.com');
    assert.equal((await admin.del(`${V}/invitations/${revoked.id}`)).status, 204);
    const r = await accept(revoked.token);
    assert.equal(r.status, 410);
    assert.equal(r.body.reason, 'revoked');
    assert.equal((await admin.post(`${V}/invitations/${revoked.id}/renew`)).status, 409);

    // The address got an account some other way meanwhile: accepting and renewing say so.
    const late = await invite('zed@example.com');
    await admin.post(`${V}/users`, {
      name: 'Zed',
      email: 'zed@example.com',
      password: 'password-123',
    });
    const lateAccept = await accept(late.token);
    assert.equal(lateAccept.status, 409);
    assert.match(lateAccept.body.message, /already has an account/);
    assert.equal((await admin.post(`${V}/invitations/${late.id}/renew`)).status, 409);

    const unknown = await accept('A'.repeat(43));
    assert.equal(unknown.status, 404);
    const malformed = await anon(h).post(`${V}/auth/invitations/accept`, {
      token: 'x',
      name: '',
      password: 'short',
    });
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.body.details.map((d: { path: string }) => d.path).sort(), [
      'body.name',
      'body.password',
      'body.token',
    ]);
  });

  test('two people racing with one link: exactly one account', async () => {
    const inv = await invite('frank@example.com');
    const results = await Promise.all([
      accept(inv.token, 'Frank A', 'password-aaaa'),
      accept(inv.token, 'Frank B', 'password-bbbb'),
      accept(inv.token, 'Frank C', 'password-cccc'),
    ]);
    const codes = results.map((r) => r.status).sort();
    assert.equal(codes.filter((c) => c === 201).length, 1, `statuses ${codes}`);
    assert.ok(
      codes.every((c) => c === 201 || c === 409 || c === 410),
      `statuses ${codes}`,
    );
    const users = await admin.get(`${V}/users?q=frank@example.com`);
    assert.equal(users.body.items.length, 1);
  });

  test('non-admins cannot manage people; project admins invite into their project only', async () => {
    const pat = await userClient(h, admin, 'Pat');
    const mo = await userClient(h, admin, 'Mo');
    await admin.post(`${V}/projects/OPS/members`, { userId: pat.id, role: 'admin' });
    await admin.post(`${V}/projects/OPS/members`, { userId: mo.id, role: 'member' });

    assert.equal((await pat.client.get(`${V}/invitations`)).status, 403);
    assert.equal(
      (await pat.client.post(`${V}/invitations`, { email: 'z@example.com' })).status,
      403,
    );
    assert.equal((await pat.client.patch(`${V}/users/${mo.id}`, { disabled: true })).status, 403);
    assert.equal((await pat.client.post(`${V}/users/${mo.id}/password-reset`)).status, 403);

    // Project admin: project roles up to admin; owner needs an owner; members cannot invite.
    const ok = await pat.client.post(`${V}/projects/OPS/invitations`, {
      email: 'gail@example.com',
      role: 'member',
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.emailed, false);
    assert.equal(ok.body.invitation.role, 'member');
    assert.equal(ok.body.invitation.projectScoped, true);
    const owner = await pat.client.post(`${V}/projects/OPS/invitations`, {
      email: 'hal@example.com',
      role: 'owner',
    });
    assert.equal(owner.status, 403);
    const instanceRole = await pat.client.post(`${V}/projects/OPS/invitations`, {
      email: 'hal@example.com',
      role: 'member',
      instanceRole: 'admin',
    });
    assert.equal(instanceRole.status, 400);
    assert.equal(
      (
        await mo.client.post(`${V}/projects/OPS/invitations`, {
          email: 'hal@example.com',
          role: 'viewer',
        })
      ).status,
      403,
    );
    assert.equal((await mo.client.get(`${V}/projects/OPS/invitations`)).status, 403);
    // Not a member at all: the project does not exist for them.
    await admin.post(`${V}/projects`, { key: 'SEC', name: 'Secret' });
    assert.equal(
      (await pat.client.post(`${V}/projects/SEC/invitations`, { email: 'q@example.com' })).status,
      404,
    );
    const mine = await pat.client.get(`${V}/projects/OPS/invitations`);
    assert.deepEqual(
      mine.body.items.map((i: { email: string }) => i.email),
      ['gail@example.com'],
    );
    // The admin-wide invitations of other people are not theirs to revoke.
    const other = await invite('ivy@example.com', { projects: [{ projectId, role: 'member' }] });
    assert.equal((await pat.client.del(`${V}/projects/OPS/invitations/${other.id}`)).status, 404);
    // Accepting joins with the project role and the member instance role.
    const gail = await accept(tokenIn(ok.body.acceptUrl, 'invite'), 'Gail');
    assert.equal(gail.status, 201);
    assert.equal(gail.body.user.role, 'member');
    const g = await new Client(h.url).login('gail@example.com', 'new-password-1');
    assert.equal((await g.get(`${V}/projects/OPS`)).body.role, 'member');
    // Inviting someone who already has an account points to the member list.
    const dup = await pat.client.post(`${V}/projects/OPS/invitations`, { email: mo.email });
    assert.equal(dup.status, 409);
    assert.match(dup.body.message, /member list/);
  });

  test('disable ends sessions, re-enable allows a new login, role changes apply', async () => {
    const kim = await userClient(h, admin, 'Kim');
    assert.equal((await kim.client.get(`${V}/auth/me`)).status, 200);
    const off = await admin.patch(`${V}/users/${kim.id}`, { disabled: true });
    assert.equal(off.status, 200);
    assert.equal(off.body.disabled, true);
    assert.equal((await kim.client.get(`${V}/auth/me`)).status, 401);
    assert.equal((await kim.client.post(`${V}/auth/refresh`)).status, 401);
    const denied = await anon(h).post(`${V}/auth/login`, {
      email: kim.email,
      password: 'password-123',
    });
    assert.equal(denied.status, 401);
    // A disabled user gets no reset link either.
    assert.equal((await admin.post(`${V}/users/${kim.id}/password-reset`)).status, 409);

    assert.equal((await admin.patch(`${V}/users/${kim.id}`, { disabled: false })).status, 200);
    const kim2 = await new Client(h.url).login(kim.email, 'password-123');
    assert.equal((await kim2.get(`${V}/invitations`)).status, 403);
    assert.equal((await admin.patch(`${V}/users/${kim.id}`, { role: 'admin' })).status, 200);
    // The old access token must be refreshed to carry the new role.
    assert.equal((await kim2.get(`${V}/invitations`)).status, 401);
    assert.equal((await kim2.post(`${V}/auth/refresh`)).status, 200);
    const kim3 = await new Client(h.url).login(kim.email, 'password-123');
    assert.equal((await kim3.get(`${V}/invitations`)).status, 200);
    const listed = await admin.get(`${V}/users?q=kim`);
    assert.equal(listed.body.items[0].role, 'admin');
    assert.equal((await admin.patch(`${V}/users/${kim.id}`, { role: 'member' })).status, 200);
  });

  test("an admin's reset link: returned to copy, single use, expiring", async () => {
    const lou = await userClient(h, admin, 'Lou');
    const r = await admin.post(`${V}/users/${lou.id}/password-reset`);
    assert.equal(r.status, 201);
    assert.equal(r.body.emailed, false);
    const token = tokenIn(r.body.resetUrl, 'reset-password');
    assert.equal(
      (await anon(h).post(`${V}/auth/password/reset`, { token, password: 'lou-new-password' }))
        .status,
      204,
    );
    assert.equal((await lou.client.get(`${V}/auth/me`)).status, 401, 'sessions ended');
    await new Client(h.url).login(lou.email, 'lou-new-password');
    assert.equal(
      (await anon(h).post(`${V}/auth/password/reset`, { token, password: 'lou-other-password' }))
        .status,
      410,
    );

    const r2 = await admin.post(`${V}/users/${lou.id}/password-reset`);
    const t2 = tokenIn(r2.body.resetUrl, 'reset-password');
    await PasswordReset.updateOne(
      { userId: lou.id, usedAt: null },
      { $set: { expiresAt: new Date(Date.now() - 1) } },
    );
    const exp = await anon(h).post(`${V}/auth/password/check`, { token: t2 });
    assert.equal(exp.status, 410);
    assert.equal(exp.body.reason, 'expired');
    assert.equal(
      (await anon(h).post(`${V}/auth/password/check`, { token: 'B'.repeat(43) })).status,
      404,
    );
    // Without SMTP the forgot-password answer is still the same.
    const f = await anon(h).post(`${V}/auth/password/forgot`, { email: lou.email });
    assert.equal(f.status, 202);
    assert.equal((await anon(h).post(`${V}/auth/password/forgot`, { email: 'nope' })).status, 400);
  });

  test('the OpenAPI document lists the people endpoints', async () => {
    const doc = await anon(h).get(`${V}/openapi.json`);
    for (const p of [
      '/api/v1/invitations',
      '/api/v1/invitations/{id}/renew',
      '/api/v1/projects/{project}/invitations',
      '/api/v1/auth/invitations/accept',
      '/api/v1/auth/password/forgot',
      '/api/v1/auth/password/reset',
      '/api/v1/users/{id}/password-reset',
    ])
      assert.ok(doc.body.paths[p], p);
  });
});

describe('the last active admin', () => {
  let fresh: Harness;
  before(async () => {
    fresh = await startHarness('people-lastadmin');
  });
  after(async () => {
    await fresh?.close();
  });

  test('the last active admin cannot be demoted or disabled', async () => {
    const root = await new Client(fresh.url).login(ADMIN.email, ADMIN.password);
    const me = (await root.get(`${V}/auth/me`)).body.id as string;
    const demote = await root.patch(`${V}/users/${me}`, { role: 'member' });
    assert.equal(demote.status, 409);
    assert.match(demote.body.message, /last active administrator/);
    assert.equal((await root.patch(`${V}/users/${me}`, { disabled: true })).status, 409);
    // A disabled second admin does not count.
    const other = await root.post(`${V}/users`, {
      name: 'Lee',
      email: 'lee@example.com',
      password: 'password-123',
      role: 'admin',
    });
    await root.patch(`${V}/users/${other.body.id}`, { disabled: true });
    assert.equal((await root.patch(`${V}/users/${me}`, { role: 'member' })).status, 409);
    // With another active admin it is allowed (and the name can always change).
    await root.patch(`${V}/users/${other.body.id}`, { disabled: false });
    assert.equal((await root.patch(`${V}/users/${me}`, { name: 'Ada' })).status, 200);
    const ok = await root.patch(`${V}/users/${me}`, { role: 'member' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.role, 'member');
    const lee = await new Client(fresh.url).login('lee@example.com', 'password-123');
    assert.equal((await lee.patch(`${V}/users/${other.body.id}`, { disabled: true })).status, 409);
  });
});

describe('forgotten-password requests are rate-limited per client IP like login', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('people-limit', { RATE_LIMIT_AUTH_MAX: '5' });
  });
  after(async () => {
    await h?.close();
  });

  test('the sixth request in the window answers 429 with Retry-After', async () => {
    const c = anon(h);
    for (let i = 0; i < 5; i++) {
      const r = await c.post(`${V}/auth/password/forgot`, { email: `u${i}@example.com` });
      assert.equal(r.status, 202);
      assert.equal(r.headers.get('ratelimit-policy'), '5;w=900');
    }
    const r = await c.post(`${V}/auth/password/forgot`, { email: 'u9@example.com' });
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    // Accepting invitations shares the budget (guessing tokens is as limited as passwords).
    const a = await c.post(`${V}/auth/invitations/accept`, {
      token: 'A'.repeat(43),
      name: 'X',
      password: 'password-123',
    });
    assert.equal(a.status, 429);
  });
});

// Login throttling with the production budgets (5 failures per account, 30 per IP) and short
// lock-outs so recovery is observable: failures are counted per account and per IP, successes
// never are, locks grow exponentially and end, a success resets the account, and with
// TRUST_PROXY at its default (off) a spoofed X-Forwarded-For does not change the client IP.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN, Client, startHarness, userClient, type Harness } from './helpers.ts';

let h: Harness;
let root: Client;
before(async () => {
  h = await startHarness('throttle', {
    // Production defaults for the budgets (the harness raises them for other tests).
    LOGIN_RATE_LIMIT_MAX: '30',
    LOGIN_ACCOUNT_MAX_FAILURES: '5',
    LOGIN_LOCKOUT_BASE_MS: '400',
    LOGIN_LOCKOUT_MAX_MS: '1600',
  });
  assert.equal(h.env.TRUST_PROXY, undefined, 'TRUST_PROXY stays at its default');
  root = await new Client(h.url).login(ADMIN.email, ADMIN.password);
});
beforeEach(async () => {
  const keys = await h.deps.redis.keys(`${h.deps.config.REDIS_KEY_PREFIX}lt:*`);
  if (keys.length) await h.deps.redis.del(...keys);
});
after(async () => {
  await h.close();
});

const attempt = (email: string, password: string, headers: Record<string, string> = {}) =>
  new Client(h.url).req('POST', '/api/v1/auth/login', { email, password }, headers);

test('successful logins are not counted: 40 colleagues behind one IP all sign in', async () => {
  for (let i = 0; i < 40; i++) {
    const r = await attempt(ADMIN.email, ADMIN.password);
    assert.equal(r.status, 200, `login ${i + 1}`);
  }
});

test('an account locks after 5 failures, the lock grows, ends, and a success resets it', async () => {
  const { email } = await userClient(h, root, 'Tina');
  for (let i = 0; i < 5; i++) assert.equal((await attempt(email, 'wrong-password')).status, 401);
  const locked = await attempt(email, 'password-123');
  assert.equal(locked.status, 429, 'even the right password waits while locked');
  assert.equal(locked.body.error, 'rate_limited');
  assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  // Another account from the same IP is not affected.
  assert.equal((await attempt(ADMIN.email, ADMIN.password)).status, 200);

  await sleep(450); // first lock: 400 ms
  assert.equal((await attempt(email, 'wrong-password')).status, 401);
  await sleep(450); // the 6th failure locked for 800 ms
  assert.equal((await attempt(email, 'password-123')).status, 429, 'second lock is longer');
  await sleep(450);
  const ok = await attempt(email, 'password-123');
  assert.equal(ok.status, 200, 'the legitimate user gets in once the lock ends');

  // The success reset the account: four new failures are plain 401s again.
  for (let i = 0; i < 4; i++) assert.equal((await attempt(email, 'wrong-password')).status, 401);
  assert.equal((await attempt(email, 'password-123')).status, 200);
});

test('an IP locks after 30 failures; spoofed X-Forwarded-For does not change the IP', async () => {
  let n = 0;
  const spoof = () => ({ 'x-forwarded-for': `203.0.113.${++n % 250}`, 'x-real-ip': '8.8.8.8' });
  // 30 failures on 30 different (unknown) accounts: no account budget is reached.
  for (let i = 0; i < 30; i++)
    assert.equal((await attempt(`ghost${i}@example.com`, 'wrong-password', spoof())).status, 401);
  const r = await attempt(ADMIN.email, ADMIN.password, spoof());
  assert.equal(r.status, 429, 'the IP is locked whatever X-Forwarded-For says');
  const plain = await attempt(ADMIN.email, ADMIN.password);
  assert.equal(plain.status, 429);
  await sleep(450);
  assert.equal((await attempt(ADMIN.email, ADMIN.password, spoof())).status, 200);
});

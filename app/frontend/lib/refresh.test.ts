import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jwtExpiry, refreshDelay, RefreshScheduler, safeNext, singleFlight } from './refresh.ts';

const jwt = (payload: object) =>
  ['e30', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'sig'].join('.');

describe('jwtExpiry', () => {
  it('reads exp from a base64url payload', () => {
    assert.equal(jwtExpiry(jwt({ sub: 'u', exp: 1_900_000_000, n: '>>??' })), 1_900_000_000);
  });
  it('null for garbage', () => {
    assert.equal(jwtExpiry('nope'), null);
    assert.equal(jwtExpiry('a.!!!.c'), null);
    assert.equal(jwtExpiry(jwt({ sub: 'u' })), null);
  });
});

describe('refreshDelay', () => {
  const now = 1_000_000;
  it('refreshes 30 s before expiry for normal tokens', () => {
    assert.equal(refreshDelay({ expiresIn: 900, receivedAt: now, now }), 870_000);
  });
  it('uses 80% of the lifetime for short tokens', () => {
    assert.equal(refreshDelay({ expiresIn: 10, receivedAt: now, now }), 8_000);
  });
  it('takes the earlier of expiresIn and the token exp', () => {
    const exp = (now + 60_000) / 1000;
    assert.equal(refreshDelay({ expiresIn: 900, receivedAt: now, exp, now }), 30_000);
  });
  it('accounts for time already passed and never goes below 1 s', () => {
    assert.equal(refreshDelay({ expiresIn: 900, receivedAt: now, now: now + 800_000 }), 70_000);
    assert.equal(refreshDelay({ expiresIn: 900, receivedAt: now, now: now + 10_000_000 }), 1000);
    assert.equal(refreshDelay({ expiresIn: 0, receivedAt: now, now }), 1000);
  });
});

describe('singleFlight', () => {
  it('shares one call between overlapping callers, then allows a new one', async () => {
    let calls = 0;
    const f = singleFlight(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return calls;
    });
    const [a, b] = await Promise.all([f(), f()]);
    assert.equal(a, 1);
    assert.equal(b, 1);
    assert.equal(await f(), 2);
  });
  it('clears after a failure', async () => {
    let n = 0;
    const f = singleFlight(async () => {
      n++;
      if (n === 1) throw new Error('boom');
      return n;
    });
    await assert.rejects(f(), /boom/);
    assert.equal(await f(), 2);
  });
});

describe('RefreshScheduler', () => {
  it('keeps a single timer and fires it', () => {
    const pending = new Map<number, () => void>();
    let id = 0;
    const timers = {
      setTimeout: (fn: () => void) => {
        pending.set(++id, fn);
        return id;
      },
      clearTimeout: (h: unknown) => pending.delete(h as number),
    };
    let fired = 0;
    const s = new RefreshScheduler(() => fired++, timers);
    s.schedule(1000);
    s.schedule(2000);
    assert.equal(pending.size, 1);
    assert.equal(s.pending, true);
    const [[firstId, fire]] = [...pending.entries()] as [[number, () => void]];
    pending.delete(firstId);
    fire();
    assert.equal(fired, 1);
    assert.equal(s.pending, false);
    s.schedule(5);
    s.cancel();
    assert.equal(pending.size, 0);
  });
});

describe('safeNext', () => {
  it('only allows same-origin paths', () => {
    assert.equal(safeNext('/projects/WEB/board?x=1'), '/projects/WEB/board?x=1');
    assert.equal(safeNext('//evil.example'), '/projects');
    assert.equal(safeNext('/\\evil.example'), '/projects');
    assert.equal(safeNext('https://evil.example'), '/projects');
    assert.equal(safeNext('/sign-in'), '/projects');
    assert.equal(safeNext(null), '/projects');
  });
});

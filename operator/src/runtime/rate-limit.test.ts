import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket, type Clock } from './rate-limit.ts';

/** A clock that only moves when told to; sleepers wake when it passes their time. */
function fakeClock(): Clock & { advance(ms: number): Promise<void>; sleepers: number } {
  let now = 0;
  let sleepers: Array<{ at: number; wake: () => void }> = [];
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((wake) => sleepers.push({ at: now + ms, wake })),
    get sleepers() {
      return sleepers.length;
    },
    async advance(ms) {
      now += ms;
      const due = sleepers.filter((s) => s.at <= now + 1e-9);
      sleepers = sleepers.filter((s) => s.at > now + 1e-9);
      for (const s of due) s.wake();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces requests at qps', () => {
    const clock = fakeClock();
    const b = new TokenBucket({ qps: 20, burst: 30, clock });
    const waits = Array.from({ length: 33 }, () => b.reserve());
    assert.deepEqual(waits.slice(0, 30), Array(30).fill(0));
    // 20 qps: one token every 50 ms, reserved in arrival order.
    assert.deepEqual(
      waits.slice(30).map((w) => Math.round(w)),
      [50, 100, 150],
    );
  });

  it('take() resolves only when the clock reaches the reserved token', async () => {
    const clock = fakeClock();
    const b = new TokenBucket({ qps: 10, burst: 1, clock });
    let done = 0;
    await b.take();
    const second = b.take().then(() => done++);
    const third = b.take().then(() => done++);
    await clock.advance(99);
    assert.equal(done, 0);
    await clock.advance(1);
    assert.equal(done, 1);
    await clock.advance(100);
    await Promise.all([second, third]);
    assert.equal(done, 2);
  });

  it('refills up to burst while idle, never beyond', async () => {
    const clock = fakeClock();
    const b = new TokenBucket({ qps: 5, burst: 3, clock });
    for (let i = 0; i < 3; i++) b.reserve();
    assert.equal(b.available(), 0);
    await clock.advance(400); // 2 tokens
    assert.ok(Math.abs(b.available() - 2) < 1e-9);
    await clock.advance(60_000);
    assert.equal(b.available(), 3);
  });

  it('sustains qps over a long run', () => {
    const clock = fakeClock();
    const b = new TokenBucket({ qps: 20, burst: 30, clock });
    // 1030 requests at once: 30 from the burst, the rest 50 ms apart: the last waits 50 s.
    let last = 0;
    for (let i = 0; i < 1030; i++) last = b.reserve();
    assert.equal(Math.round(last), 50_000);
  });

  it('qps <= 0 disables the limit', () => {
    const b = new TokenBucket({ qps: 0, burst: 1, clock: fakeClock() });
    for (let i = 0; i < 100; i++) assert.equal(b.reserve(), 0);
  });
});

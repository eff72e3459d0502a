import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkQueue } from './queue.ts';

describe('WorkQueue', () => {
  it('stores a waiting key once however often it is added', async () => {
    const depths: number[] = [];
    const q = new WorkQueue({ onDepth: (d) => depths.push(d) });
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    q.add('ns/a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'ns/a');
    assert.equal(await q.get(), 'ns/b');
    assert.equal(q.length, 0);
    assert.deepEqual(depths, [1, 2, 1, 0]);
  });

  it('never hands a key being processed to a second worker, and requeues it once after done', async () => {
    const q = new WorkQueue();
    q.add('k');
    const first = await q.get();
    assert.equal(first, 'k');
    q.add('k');
    q.add('k');
    assert.equal(q.length, 0, 'a key in flight is not queued again');
    let second: string | undefined;
    const waiting = q.get().then((k) => (second = k));
    await sleep(5);
    assert.equal(second, undefined, 'the second worker waits');
    q.done('k');
    await waiting;
    assert.equal(second, 'k', 'the dirty key is processed again after done');
    q.done('k');
    assert.equal(q.length, 0, 'and only once');
  });

  it('processes different keys concurrently', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    assert.deepEqual([await q.get(), await q.get()], ['a', 'b']);
  });

  it('grows the per-key back-off exponentially from 5 ms and caps it at 1000 s', () => {
    const q = new WorkQueue();
    const delays = Array.from({ length: 30 }, () => q.addRateLimited('k'));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(delays[17], 5 * 2 ** 17);
    assert.equal(delays[18], 1_000_000, '5 ms * 2^18 exceeds the cap');
    assert.equal(delays[29], 1_000_000);
    assert.equal(q.nextDelay('other'), 5, 'back-off is per key');
    for (let i = 0; i < 2000; i++) q.addRateLimited('huge');
    assert.equal(q.nextDelay('huge'), 1_000_000, 'no overflow to Infinity or NaN');
    q.shutDown();
  });

  it('forget resets the back-off', () => {
    const q = new WorkQueue();
    q.addRateLimited('k');
    q.addRateLimited('k');
    assert.equal(q.numRequeues('k'), 2);
    assert.equal(q.nextDelay('k'), 20);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
    assert.equal(q.nextDelay('k'), 5);
    q.shutDown();
  });

  it('delivers rate-limited and delayed keys after their delay, earliest deadline winning', async () => {
    const q = new WorkQueue({ baseDelayMs: 20 });
    const t0 = Date.now();
    q.addAfter('k', 200);
    q.addAfter('k', 40);
    q.addAfter('k', 500);
    assert.equal(q.length, 0);
    assert.equal(await q.get(), 'k');
    const waited = Date.now() - t0;
    assert.ok(waited >= 35 && waited < 190, `waited ${waited} ms`);
    q.done('k');
    const t1 = Date.now();
    q.addRateLimited('r');
    assert.equal(await q.get(), 'r');
    assert.ok(Date.now() - t1 >= 15);
    q.done('r');
    q.shutDown();
  });

  it('shutDown releases waiting workers and drops pending keys', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.addAfter('later', 10_000);
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add('x');
    assert.equal(await q.get(), undefined);
  });
});

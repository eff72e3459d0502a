import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resyncOffsetMs } from './spread.ts';

describe('resyncOffsetMs', () => {
  it('is stable for a key and inside the period', () => {
    for (const key of ['ns/a', 'tenant-42/pms', '']) {
      const offset = resyncOffsetMs(key, 600_000);
      assert.equal(resyncOffsetMs(key, 600_000), offset);
      assert.ok(offset >= 0 && offset < 600_000, `${key}: ${offset}`);
    }
  });

  it('spreads many similar keys evenly over the period', () => {
    const period = 15_000;
    const buckets = new Array<number>(10).fill(0);
    const n = 1000;
    for (let i = 0; i < n; i++) {
      const offset = resyncOffsetMs(`bench-run-o1000-${i}/pms`, period);
      const bucket = Math.floor((offset / period) * buckets.length);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    // A burst would put everything in one bucket; an even spread puts ~100 in each.
    for (const count of buckets) assert.ok(count > 60 && count < 140, `buckets: ${buckets}`);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lockDelayMs } from './throttle.ts';

test('no lock below the budget; then base, doubling, capped', () => {
  const d = (n: number) => lockDelayMs(n, 5, 1000, 900_000);
  assert.deepEqual([0, 1, 4].map(d), [0, 0, 0]);
  assert.deepEqual([5, 6, 7, 8].map(d), [1000, 2000, 4000, 8000]);
  assert.equal(d(15), 900_000);
  assert.equal(d(10_000), 900_000, 'huge counts do not overflow');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidRank, rankBetween, spreadRanks } from './rank.ts';

test('rankBetween gives a strictly ordered, valid rank', () => {
  const cases: [string | null, string | null][] = [
    [null, null],
    [null, 'i'],
    ['i', null],
    ['a', 'b'],
    ['a', 'a1'],
    ['az', 'b'],
    ['z', null],
    ['zzz', null],
    [null, '01'],
    ['a5', 'a7'],
  ];
  for (const [a, b] of cases) {
    const r = rankBetween(a, b);
    assert.ok(isValidRank(r), `${r} valid`);
    if (a !== null) assert.ok(a < r, `${a} < ${r}`);
    if (b !== null) assert.ok(r < b, `${r} < ${b}`);
  }
});

test('rankBetween rejects inverted bounds', () => {
  assert.throws(() => rankBetween('b', 'a'));
  assert.throws(() => rankBetween('a', 'a'));
});

test('repeated inserts at the same place stay ordered', () => {
  // Always insert right after the first element: the worst case for growth.
  const list = [rankBetween(null, null)];
  list.push(rankBetween(list[0] ?? null, null));
  for (let i = 0; i < 200; i++) {
    const r = rankBetween(list[0] ?? null, list[1] ?? null);
    list.splice(1, 0, r);
  }
  const sorted = [...list].sort();
  assert.deepEqual(list, sorted);
  assert.equal(new Set(list).size, list.length);
  // Random inserts everywhere.
  for (let i = 0; i < 500; i++) {
    const at = Math.floor(Math.random() * (list.length + 1));
    list.splice(at, 0, rankBetween(list[at - 1] ?? null, list[at] ?? null));
  }
  assert.deepEqual(list, [...list].sort());
  assert.equal(new Set(list).size, list.length);
});

test('spreadRanks is increasing and valid', () => {
  for (const n of [1, 2, 10, 35, 36, 37, 1000]) {
    const r = spreadRanks(n);
    assert.equal(r.length, n);
    assert.deepEqual(r, [...r].sort());
    assert.equal(new Set(r).size, n);
    for (const x of r) assert.ok(isValidRank(x), x);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAccessCache } from './access-cache.ts';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('an entry is used only at the version it was stored at', () => {
  const c = createAccessCache<string>({ ttlMs: 15_000 });
  c.set('u1', 'p1', '7', 'grant');
  assert.equal(c.get('u1', 'p1', '7'), 'grant');
  assert.equal(c.get('u2', 'p1', '7'), undefined, 'another user');
  assert.equal(c.get('u1', 'p2', '7'), undefined, 'another project');
  assert.equal(c.get('u1', 'p1', '8'), undefined, 'a bumped version');
  // A mismatch drops the entry: going back to the old version does not revive it.
  assert.equal(c.get('u1', 'p1', '7'), undefined);
  assert.equal(c.size, 0);
});

test('entries expire after the TTL whatever the version says', () => {
  const k = clock();
  const c = createAccessCache<string>({ ttlMs: 15_000, now: k.now });
  c.set('u1', 'p1', '1', 'grant');
  k.advance(14_999);
  assert.equal(c.get('u1', 'p1', '1'), 'grant');
  k.advance(1);
  assert.equal(c.get('u1', 'p1', '1'), undefined);
  // Storing again starts a new lifetime.
  c.set('u1', 'p1', '1', 'again');
  k.advance(10_000);
  assert.equal(c.get('u1', 'p1', '1'), 'again');
});

test('bounded: the least recently used entry goes first', () => {
  const c = createAccessCache<number>({ ttlMs: 60_000, maxEntries: 3 });
  c.set('u', 'a', '0', 1);
  c.set('u', 'b', '0', 2);
  c.set('u', 'c', '0', 3);
  assert.equal(c.get('u', 'a', '0'), 1); // a is now the most recent
  c.set('u', 'd', '0', 4);
  assert.equal(c.size, 3);
  assert.equal(c.get('u', 'b', '0'), undefined, 'b was the least recently used');
  for (const [p, v] of [
    ['a', 1],
    ['c', 3],
    ['d', 4],
  ] as const)
    assert.equal(c.get('u', p, '0'), v);
});

test('project keys map to the id they resolved to last; clear() forgets everything', () => {
  const c = createAccessCache<string>({ ttlMs: 60_000, maxEntries: 2 });
  assert.equal(c.idOfKey('WEB'), undefined);
  c.rememberKey('WEB', 'p1');
  c.rememberKey('WEB', 'p2'); // the key was deleted and taken by a new project
  assert.equal(c.idOfKey('WEB'), 'p2');
  c.rememberKey('OPS', 'p3');
  c.rememberKey('API', 'p4');
  assert.equal(c.idOfKey('WEB'), undefined, 'bounded too');
  c.set('u', 'p4', '1', 'grant');
  c.clear();
  assert.equal(c.idOfKey('API'), undefined);
  assert.equal(c.get('u', 'p4', '1'), undefined);
  assert.equal(c.size, 0);
});

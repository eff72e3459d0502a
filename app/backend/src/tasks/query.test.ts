import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  afterCursor,
  decodeCursor,
  encodeCursor,
  escapeRegex,
  parseTaskNumber,
  sortSpec,
} from './query.ts';

const id = 'a'.repeat(24);

test('cursor round-trips numbers, strings and dates', () => {
  assert.deepEqual(decodeCursor('number', encodeCursor('number', 42, id)), { value: 42, id });
  assert.deepEqual(decodeCursor('rank', encodeCursor('rank', 'i5', id)), { value: 'i5', id });
  const d = new Date('2026-01-02T03:04:05.000Z');
  const back = decodeCursor('-created', encodeCursor('-created', d, id));
  assert.ok(back.value instanceof Date);
  assert.equal((back.value as Date).toISOString(), d.toISOString());
});

test('cursor from another sort or garbage is a 400', () => {
  assert.throws(() => decodeCursor('number', encodeCursor('rank', 'x', id)), /Invalid cursor/);
  assert.throws(() => decodeCursor('number', 'not-base64-json'), /Invalid cursor/);
  const evil = Buffer.from(JSON.stringify({ s: 'number', v: { $gt: 1 }, id })).toString(
    'base64url',
  );
  assert.throws(() => decodeCursor('number', evil), /Invalid cursor/);
  const badId = Buffer.from(JSON.stringify({ s: 'number', v: 1, id: { $ne: 1 } })).toString(
    'base64url',
  );
  assert.throws(() => decodeCursor('number', badId), /Invalid cursor/);
});

test('keyset condition follows the sort direction', () => {
  assert.deepEqual(afterCursor('number', 5, id), {
    $or: [{ number: { $gt: 5 } }, { number: 5, _id: { $gt: id } }],
  });
  assert.deepEqual(afterCursor('-number', 5, id), {
    $or: [{ number: { $lt: 5 } }, { number: 5, _id: { $lt: id } }],
  });
  assert.deepEqual(sortSpec('priority'), { priorityOrder: -1, _id: -1 });
});

test('escapeRegex neutralises metacharacters', () => {
  assert.equal(escapeRegex('a.b*(c)'), 'a\\.b\\*\\(c\\)');
  assert.ok(new RegExp(escapeRegex('x+y?')).test('x+y?'));
});

test('task numbers in search text', () => {
  assert.equal(parseTaskNumber('WEB-42', 'WEB'), 42);
  assert.equal(parseTaskNumber('web-7', 'WEB'), 7);
  assert.equal(parseTaskNumber('#3', 'WEB'), 3);
  assert.equal(parseTaskNumber('12', 'WEB'), 12);
  assert.equal(parseTaskNumber('API-1', 'WEB'), null);
  assert.equal(parseTaskNumber('fix 12', 'WEB'), null);
});

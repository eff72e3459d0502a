import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRealDate, stripUnsafe } from './text.ts';

test('isRealDate checks the calendar, not just the shape', () => {
  for (const ok of ['2026-02-28', '2028-02-29', '2026-12-31T23:59:59Z', '2026-01-01T10:00+02:00'])
    assert.equal(isRealDate(ok), true, ok);
  for (const bad of [
    '2026-02-31',
    '2025-02-29',
    '2026-00-10',
    '2026-1-1',
    '2026-01-01T25:00Z',
    'x',
  ])
    assert.equal(isRealDate(bad), false, bad);
});

test('stripUnsafe removes controls and bidi controls, keeps other text', () => {
  assert.equal(stripUnsafe('a\u0000b\u001bc\u007f\u0085d\u202ae\u202ef\u2066g\u2069'), 'abcdefg');
  assert.equal(stripUnsafe('Łódź – 東京 ✓'), 'Łódź – 東京 ✓');
});

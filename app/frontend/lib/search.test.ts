import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSearchShortcut, segments } from './search.ts';

test('segments: plain and marked parts in order', () => {
  assert.deepEqual(
    segments('Résumé du CAFÉ', [
      { start: 0, end: 6 },
      { start: 10, end: 14 },
    ]),
    [
      { text: 'Résumé', mark: true },
      { text: ' du ', mark: false },
      { text: 'CAFÉ', mark: true },
    ],
  );
});

test('segments: unsorted, overlapping and out-of-range ranges are tidied', () => {
  assert.deepEqual(
    segments('abcdef', [
      { start: 4, end: 99 },
      { start: 1, end: 3 },
      { start: 2, end: 4 },
      { start: -5, end: 0 },
    ]),
    [
      { text: 'a', mark: false },
      { text: 'bcdef', mark: true },
    ],
  );
  assert.deepEqual(segments('abc', []), [{ text: 'abc', mark: false }]);
  assert.deepEqual(segments('', [{ start: 0, end: 3 }]), []);
});

test('segments keep markup as text', () => {
  const s = segments('<b>x</b> walrus', [{ start: 9, end: 15 }]);
  assert.equal(s[0]?.text, '<b>x</b> ');
});

test('shortcut: "/" outside fields, Ctrl/Cmd-K anywhere', () => {
  const k = (
    key: string,
    target: { tagName?: string },
    mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey', boolean>> = {},
  ) => isSearchShortcut({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods, target });
  assert.equal(k('/', { tagName: 'BODY' }), true);
  assert.equal(k('/', { tagName: 'INPUT' }), false);
  assert.equal(k('/', { tagName: 'TEXTAREA' }), false);
  assert.equal(k('k', { tagName: 'INPUT' }, { ctrlKey: true }), true);
  assert.equal(k('K', { tagName: 'BODY' }, { metaKey: true }), true);
  assert.equal(k('k', { tagName: 'BODY' }), false);
  assert.equal(k('/', { tagName: 'BODY' }, { ctrlKey: true }), false);
});

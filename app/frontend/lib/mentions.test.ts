import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertMention, matchMembers, mentionAt, mentionHandle } from './mentions.ts';

describe('mentions', () => {
  it('finds the mention being typed', () => {
    assert.deepEqual(mentionAt('hi @al', 6), { start: 3, query: 'al' });
    assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
    assert.equal(mentionAt('mail me@x', 9), null);
    assert.equal(mentionAt('hi @al there', 12), null);
  });
  it('inserts a handle and moves the caret after it', () => {
    const text = 'hi @al, thanks';
    const q = mentionAt(text, 6);
    assert.ok(q);
    const r = insertMention(text, q, 6, 'alice@example.com');
    assert.equal(r.text, 'hi @alice@example.com , thanks');
    assert.equal(r.caret, 'hi @alice@example.com '.length);
    const r2 = insertMention('@bo', { start: 0, query: 'bo' }, 3, 'bob@x.io');
    assert.equal(r2.text, '@bob@x.io ');
  });
  it('matches members by prefix first', () => {
    const members = [
      { name: 'Bob Alder', email: 'bob@x.io' },
      { name: 'Alice', email: 'alice@x.io' },
      { name: 'Carol', email: 'carol@x.io' },
    ];
    assert.deepEqual(
      matchMembers(members, 'al').map((m) => m.name),
      ['Alice', 'Bob Alder'],
    );
    assert.equal(matchMembers(members, '').length, 3);
    assert.equal(matchMembers(members, 'zzz').length, 0);
  });
});

describe('mentionHandle', () => {
  it('uses the name without spaces when it is a plain handle, else the email', () => {
    assert.equal(mentionHandle({ name: 'Ada Lovelace', email: 'ada@x.io' }), 'AdaLovelace');
    assert.equal(mentionHandle({ name: "Miles O'Brien", email: 'miles@x.io' }), 'miles@x.io');
    assert.equal(mentionHandle({ name: 'José', email: 'jose@x.io' }), 'jose@x.io');
    assert.equal(mentionHandle({ name: 'dev-', email: 'd@x.io' }), 'd@x.io');
  });
});

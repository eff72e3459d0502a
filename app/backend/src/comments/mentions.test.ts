import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractMentions, resolveMentions } from './mentions.ts';

test('extracts handles and emails, ignoring code and plain emails', () => {
  assert.deepEqual(extractMentions('hi @ada and @Bob.Smith, see @carol@example.com.'), [
    'ada',
    'bob.smith',
    'carol@example.com',
  ]);
  assert.deepEqual(extractMentions('mail dave@example.com please'), []);
  assert.deepEqual(extractMentions('`@notme` and\n```\n@neither\n```\n@yes'), ['yes']);
  assert.deepEqual(extractMentions('(@ada)'), ['ada']);
});

test('resolves to project members by email, name or first name', () => {
  const users = [
    { id: '1', name: 'Ada Lovelace', email: 'ada@example.com' },
    { id: '2', name: 'Grace Hopper', email: 'grace@example.com' },
    { id: '3', name: 'Alan Turing', email: 'turing@example.com' },
  ];
  assert.deepEqual(resolveMentions('@adalovelace @grace@example.com', users), ['1', '2']);
  assert.deepEqual(resolveMentions('@alan please', users), ['3']);
  assert.deepEqual(resolveMentions('@nobody', users), []);
  assert.deepEqual(resolveMentions('no mentions', users), []);
});

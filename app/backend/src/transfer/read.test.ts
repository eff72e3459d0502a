import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AppError } from '../platform/errors.ts';
import { readSource } from './read.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/transfer/${name}`, import.meta.url));
const bytes = (s: string) => new TextEncoder().encode(s);
const status400 = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof AppError && e.status === 400 && pattern.test(e.message),
  );

test('auto-detects Trello JSON, the own JSON export and CSV', () => {
  assert.equal(readSource(fixture('trello-board.json'), { format: 'auto' }).format, 'trello');
  assert.equal(readSource(fixture('generic.csv'), { format: 'auto' }).format, 'csv');
  const own = {
    format: 'pms-export',
    version: 1,
    project: { key: 'X', name: 'X' },
    states: [],
    labels: [],
    members: [],
    tasks: [{ key: 'X-1', title: 'one' }],
  };
  assert.equal(readSource(bytes(JSON.stringify(own)), { format: 'auto' }).tasks[0]?.title, 'one');
});

test('unknown and broken files are 400s that say why', () => {
  status400(() => readSource(bytes('{"hello": 1}'), { format: 'auto' }), /Unknown import format/);
  status400(() => readSource(bytes('{"lists": ['), { format: 'auto' }), /Malformed JSON/);
  status400(
    () => readSource(new Uint8Array([0xff, 0xfe, 0x00, 0x41]), { format: 'auto' }),
    /not UTF-8/,
  );
  status400(() => readSource(bytes('PK\u0003\u0004\u0000\u0000'), { format: 'csv' }), /binary/);
  status400(() => readSource(bytes('  \n'), { format: 'auto' }), /empty/);
  status400(() => readSource(bytes('title\n"open'), { format: 'csv' }), /Malformed CSV at line 2/);
  status400(() => readSource(bytes('a,b'), { format: 'trello' }), /Malformed JSON/);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AppError } from '../platform/errors.ts';
import { csvLine, parseCsv } from './csv.ts';
import { defaultMapping, EXPORT_COLUMNS, readCsvTasks } from './csv-tasks.ts';

const generic = readFileSync(
  new URL('../../test/fixtures/transfer/generic.csv', import.meta.url),
  'utf8',
);

test("the app's own CSV: recognised by its header, formula guard undone", () => {
  const text =
    csvLine([...EXPORT_COLUMNS]) +
    csvLine([
      'WEB-7',
      '=not a formula',
      'multi\nline',
      'In Progress',
      'high',
      'a@x.io; b@x.io',
      'bug; ui',
      '2026-12-01',
      2,
      'WEB-1',
      'a@x.io',
      '2026-01-01T00:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
  const src = readCsvTasks(parseCsv(text));
  const t = src.tasks[0];
  assert.equal(t?.ref, 'WEB-7');
  assert.equal(t?.title, '=not a formula');
  assert.equal(t?.description, 'multi\nline');
  assert.deepEqual(t?.assignees, ['a@x.io', 'b@x.io']);
  assert.deepEqual(t?.labels, ['bug', 'ui']);
  assert.equal(t?.parent, 'WEB-1');
  assert.deepEqual(src.unmapped, []);
});

test('a generic CSV: common headers mapped, unknown columns reported', () => {
  const src = readCsvTasks(parseCsv(generic));
  assert.deepEqual(src.mapping, {
    key: 'Issue key',
    title: 'Summary',
    state: 'Status',
    priority: 'Priority',
    assignees: 'Assignee',
    labels: 'Labels',
    dueDate: 'Due date',
    estimate: 'Story Points',
  });
  assert.deepEqual(src.unmapped, [{ where: 'header', reason: 'column not imported: Sprint' }]);
  assert.equal(src.tasks[0]?.title, 'Checkout fails with "Pay now"');
  assert.deepEqual(src.tasks[0]?.labels, ['payments', 'bug']);
  // Not the app's own file: a leading = is kept as text (never evaluated here).
  assert.equal(src.tasks[2]?.title, '=HYPERLINK("http://x")');
  assert.equal(src.tasks[1]?.where, 'line 3');
  assert.equal(src.tasks[2]?.where, 'line 5');
});

test('a mapping overrides the guess, "" unmaps, unknown columns are a 400', () => {
  const src = readCsvTasks(parseCsv(generic), { description: 'Sprint', priority: '' });
  assert.equal(src.tasks[0]?.description, 'Sprint 4');
  assert.equal(src.tasks[0]?.priority, null);
  assert.throws(
    () => readCsvTasks(parseCsv(generic), { title: 'Nope' }),
    (e: unknown) =>
      e instanceof AppError &&
      e.status === 400 &&
      e.details?.[0]?.path === 'query.mapping.title' &&
      /no column "Nope"/.test(e.details[0].message),
  );
});

test('no title column: 400 that lists the columns to choose from', () => {
  assert.throws(
    () => readCsvTasks(parseCsv('Foo,Bar\n1,2\n')),
    (e: unknown) =>
      e instanceof AppError && e.status === 400 && /Foo, Bar/.test(e.details?.[0]?.message ?? ''),
  );
  assert.deepEqual(defaultMapping(['NAME', 'Tags']), { title: 'NAME', labels: 'Tags' });
});

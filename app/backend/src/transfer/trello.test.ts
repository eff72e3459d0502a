import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AppError } from '../platform/errors.ts';
import { buildPlan, type Target } from './plan.ts';
import { readTrello } from './trello.ts';

const board = JSON.parse(
  readFileSync(new URL('../../test/fixtures/transfer/trello-board.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const target: Target = {
  states: [
    { id: 's1', name: 'Todo', category: 'unstarted' },
    { id: 's2', name: 'Done', category: 'completed' },
  ],
  labels: [{ id: 'l1', name: 'bug' }],
  members: [{ userId: 'u1', email: 'admin@example.com', name: 'Ada Admin' }],
  users: [],
};

test('open lists become states in board order; archived lists and cards are reported', () => {
  const src = readTrello(board);
  assert.deepEqual(
    src.states.map((s) => s.name),
    ['To Do', 'Doing', 'Done'],
  );
  const where = src.unmapped.map((u) => `${u.where}: ${u.reason}`);
  assert.ok(where.some((w) => /list "Old ideas": archived list/.test(w)));
  assert.ok(where.some((w) => /card "Old banner": archived card/.test(w)));
  assert.ok(!src.tasks.some((t) => t.title === 'Idea in an archived list'));
  assert.ok(where.some((w) => /card "New colour palette": 1 attachment is not imported/.test(w)));
});

test('cards in list then position order; checklist items become subtasks', () => {
  const src = readTrello(board);
  assert.deepEqual(
    src.tasks.map((t) => [t.title, t.state, t.parent]),
    [
      ['Write the launch post', 'To Do', null],
      ['Fix the login redirect', 'To Do', null],
      ['Write a failing test', null, 'card1'],
      ['Fix the redirect target', 'To Do', 'card1'],
      ['New colour palette', 'Doing', null],
      ['Set up analytics', 'Done', null],
    ],
  );
  const done = src.tasks.find((t) => t.title === 'Write a failing test');
  assert.equal(done?.stateCategory, 'completed');
});

test('labels (an unnamed one after its colour), members, due dates and comments', () => {
  const src = readTrello(board);
  assert.deepEqual(
    src.labels.map((l) => [l.name, l.color]),
    [
      ['Bug', '#f87168'],
      ['Design', '#9f8fef'],
      ['Green', '#4bce97'],
    ],
  );
  const fix = src.tasks.find((t) => t.ref === 'card1');
  assert.deepEqual(fix?.labels, ['Bug']);
  assert.deepEqual(fix?.assignees, ['mem1']);
  assert.equal(fix?.dueDate, '2026-12-24T12:00:00.000Z');
  assert.deepEqual(
    fix?.comments.map((c) => [c.authorName, c.body]),
    [
      ['Ada Admin', 'Reported by two customers.'],
      ['Grace Hopper', 'I can reproduce it on Safari.'],
    ],
  );
  assert.deepEqual(src.tasks.find((t) => t.ref === 'card2')?.labels, ['Design', 'Green']);
});

test('checklists can go into the description as a task list instead', () => {
  const src = readTrello(board, { checklists: 'description' });
  assert.equal(src.tasks.length, 4);
  const fix = src.tasks.find((t) => t.ref === 'card1');
  assert.match(
    fix?.description ?? '',
    /\*\*Checklist\*\*\n\n- \[x\] Write a failing test\n- \[ \] Fix/,
  );
});

test('mapped onto a project: states matched by name, members by full name, the rest reported', () => {
  const plan = buildPlan(readTrello(board), target);
  // "Done" exists, "To Do" is the project's "Todo"; "Doing" is new (a started state).
  assert.deepEqual(plan.states, [{ name: 'Doing', category: 'started', color: '#f59e0b' }]);
  assert.equal(plan.tasks.find((t) => t.ref === 'card3')?.state, 'Todo');
  // "Bug" matches the existing "bug" label case-insensitively.
  assert.deepEqual(
    plan.labels.map((l) => l.name),
    ['Design', 'Green'],
  );
  const fix = plan.tasks.find((t) => t.ref === 'card1');
  assert.deepEqual(fix?.assigneeIds, ['u1']);
  assert.deepEqual(fix?.labels, ['bug']);
  assert.equal(fix?.comments[0]?.authorId, 'u1');
  assert.equal(fix?.comments[1]?.authorId, null);
  assert.equal(fix?.comments[1]?.authorName, 'Grace Hopper');
  // The completed checklist item lands in the existing completed state.
  assert.equal(plan.tasks.find((t) => t.title === 'Write a failing test')?.state, 'Done');
  assert.ok(
    plan.unmapped.some(
      (u) => u.where === 'card "New colour palette"' && /Grace Hopper/.test(u.reason),
    ),
  );
});

test('not a Trello board: 400 naming the missing part', () => {
  assert.throws(
    () => readTrello({ lists: [], cards: [{ id: 'x' }] }),
    (e: unknown) =>
      e instanceof AppError &&
      e.status === 400 &&
      (e.details ?? []).some((d) => d.path.startsWith('body.cards.0')),
  );
});

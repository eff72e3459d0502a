import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildPlan,
  guessCategory,
  mapPriority,
  parseDate,
  planCounts,
  type Target,
} from './plan.ts';
import type { Source, SourceTask } from './source.ts';

const target: Target = {
  states: [
    { id: 's0', name: 'Backlog', category: 'backlog' },
    { id: 's1', name: 'Todo', category: 'unstarted' },
  ],
  labels: [{ id: 'l1', name: 'Bug' }],
  members: [
    { userId: 'u1', email: 'ada@example.com', name: 'Ada Admin' },
    { userId: 'u2', email: 'grace@example.com', name: 'Grace Hopper' },
  ],
  users: [{ id: 'u3', email: 'linus@example.com', name: 'Linus' }],
};

const task = (over: Partial<SourceTask>): SourceTask => ({
  ref: over.ref ?? 'r',
  where: `line ${over.ref ?? 'r'}`,
  title: 'A task',
  description: '',
  state: null,
  priority: null,
  assignees: [],
  labels: [],
  dueDate: null,
  estimate: null,
  parent: null,
  comments: [],
  createdAt: null,
  ...over,
});
const source = (tasks: SourceTask[], extra: Partial<Source> = {}): Source => ({
  format: 'csv',
  states: [],
  labels: [],
  people: [],
  tasks,
  unmapped: [],
  ...extra,
});

test('category, priority and date helpers', () => {
  assert.equal(guessCategory('In Progress'), 'started');
  assert.equal(guessCategory('Done ✅'), 'completed');
  assert.equal(guessCategory("Won't do"), 'cancelled');
  assert.equal(guessCategory('Icebox'), 'backlog');
  assert.equal(guessCategory('Next up'), 'unstarted');
  assert.equal(mapPriority('Highest'), 'urgent');
  assert.equal(mapPriority(' MEDIUM '), 'medium');
  assert.equal(mapPriority(null), 'none');
  assert.equal(mapPriority('P0'), null);
  assert.equal(parseDate('2026-02-28'), '2026-02-28T00:00:00.000Z');
  assert.equal(parseDate('2026-02-31'), null);
  assert.equal(parseDate('Tue, 01 Dec 2026 10:00:00 GMT'), '2026-12-01T10:00:00.000Z');
  assert.equal(parseDate('soon'), null);
});

test('states and labels: existing ones by name (any case), new ones planned once', () => {
  const plan = buildPlan(
    source([
      task({ ref: '1', state: 'todo', labels: ['bug', 'UI'] }),
      task({ ref: '2', state: 'In Review', labels: ['ui'] }),
      task({ ref: '3' }),
    ]),
    target,
  );
  assert.deepEqual(
    plan.tasks.map((t) => [t.state, t.labels]),
    [
      ['Todo', ['Bug', 'UI']],
      ['In Review', ['UI']],
      ['Backlog', []],
    ],
  );
  assert.deepEqual(plan.states, [{ name: 'In Review', category: 'started', color: '#f59e0b' }]);
  assert.deepEqual(plan.labels, [{ name: 'UI', color: '#64748b' }]);
});

test('people: members by e-mail or name, other users join, strangers reported per row', () => {
  const plan = buildPlan(
    source([
      task({
        ref: '1',
        assignees: ['ADA@example.com', 'Grace Hopper', 'linus@example.com', 'who@nowhere.io'],
      }),
    ]),
    target,
  );
  assert.deepEqual(plan.tasks[0]?.assigneeIds, ['u1', 'u2', 'u3']);
  assert.deepEqual(plan.members, [
    { userId: 'u3', email: 'linus@example.com', name: 'Linus', role: 'member' },
  ]);
  assert.deepEqual(plan.unmapped, [
    { where: 'line 1', field: 'assignees', reason: 'no user here matches who@nowhere.io' },
  ]);
});

test('declared members of an export join with their role (owner becomes admin)', () => {
  const plan = buildPlan(
    source([], {
      format: 'pms-json',
      people: [
        { key: 'linus@example.com', email: 'linus@example.com', role: 'owner' },
        { key: 'gone@example.com', email: 'gone@example.com', role: 'viewer' },
      ],
    }),
    target,
  );
  assert.deepEqual(
    plan.members.map((m) => [m.email, m.role]),
    [['linus@example.com', 'admin']],
  );
  assert.equal(plan.unmapped[0]?.where, 'member gone@example.com');
});

test('bad values are reported per row with the reason, the rest of the row imported', () => {
  const plan = buildPlan(
    source([
      task({ ref: '1', priority: 'P0', dueDate: 'someday', estimate: 'lots' }),
      task({ ref: '2', title: '   ' }),
      task({ ref: '3', title: 'x'.repeat(301), estimate: '2,5' }),
      task({ ref: '1', title: 'duplicate key' }),
    ]),
    target,
  );
  assert.equal(plan.tasks.length, 2);
  assert.deepEqual(
    plan.unmapped.map((u) => `${u.where} ${u.field}`),
    [
      'line 1 priority',
      'line 1 dueDate',
      'line 1 estimate',
      'line 2 title',
      'line 3 title',
      'line 1 key',
    ],
  );
  assert.equal(plan.tasks[1]?.title.length, 300);
  assert.equal(plan.tasks[1]?.estimate, 2.5);
  assert.equal(plan.tasks[0]?.priority, 'none');
});

test('parents: kept within the file, unknown ones and cycles dropped and reported', () => {
  const plan = buildPlan(
    source([
      task({ ref: 'A', parent: 'C' }),
      task({ ref: 'B', parent: 'A' }),
      task({ ref: 'C', parent: 'B' }),
      task({ ref: 'D', parent: 'A' }),
      task({ ref: 'E', parent: 'ZZZ' }),
    ]),
    target,
  );
  const parents = Object.fromEntries(plan.tasks.map((t) => [t.ref, t.parent]));
  assert.equal(parents.E, null);
  assert.equal(parents.D, 'A');
  // The A → C → B → A loop is broken at one task.
  assert.equal(['A', 'B', 'C'].filter((r) => parents[r] === null).length, 1);
  assert.ok(plan.unmapped.some((u) => u.where === 'line E' && /not in the file/.test(u.reason)));
  assert.ok(plan.unmapped.some((u) => /cycle/.test(u.reason)));
  assert.equal(planCounts(plan).subtasks, 3);
});

test('a completed checklist item goes to a completed state, created when there is none', () => {
  const plan = buildPlan(source([task({ ref: '1', stateCategory: 'completed' })]), target);
  assert.equal(plan.tasks[0]?.state, 'Done');
  assert.deepEqual(plan.states, [{ name: 'Done', category: 'completed', color: '#22c55e' }]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diff } from './service.ts';

test('diff reports only changed fields, old → new', () => {
  const before = {
    title: 'a',
    priority: 'low',
    labelIds: ['x'],
    dueDate: new Date('2026-01-01T00:00:00Z'),
    estimate: null,
  };
  const changes = diff(before, {
    title: 'a',
    priority: 'high',
    labelIds: ['x', 'y'],
    dueDate: new Date('2026-01-01T00:00:00Z'),
    estimate: 3,
    description: undefined,
  });
  assert.deepEqual(changes, [
    { field: 'priority', from: 'low', to: 'high' },
    { field: 'labelIds', from: ['x'], to: ['x', 'y'] },
    { field: 'estimate', from: null, to: 3 },
  ]);
});

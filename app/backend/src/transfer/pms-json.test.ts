import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../platform/errors.ts';
import { readPmsJson } from './pms-json.ts';

const doc = {
  format: 'pms-export',
  version: 1,
  exportedAt: '2026-11-30T00:00:00.000Z',
  project: { key: 'WEB', name: 'Website' },
  states: [{ name: 'Review', category: 'started', color: '#f59e0b' }],
  labels: [{ name: 'bug', color: '#ef4444' }],
  members: [{ email: 'Ada@Example.com', name: 'Ada', role: 'owner' }],
  tasks: [
    {
      key: 'WEB-1',
      title: 'Parent',
      state: 'Review',
      assignees: ['ada@example.com', 'bob@example.com'],
      labels: ['bug'],
      rank: 'm',
      comments: [{ author: 'bob@example.com', authorName: 'Bob', body: 'hi', createdAt: null }],
      attachments: [
        { filename: 'a.png', downloadPath: '/api/v1/projects/WEB/attachments/x/download' },
      ],
    },
    { key: 'WEB-2', title: 'Child', parent: 'WEB-1' },
  ],
};

test('reads the own export: people by e-mail (declared ones with their role), parents by key', () => {
  const s = readPmsJson(doc);
  assert.equal(s.format, 'pms-json');
  assert.deepEqual(
    s.people.map((p) => [p.key, p.role]),
    [
      ['ada@example.com', 'owner'],
      ['bob@example.com', undefined],
    ],
  );
  assert.deepEqual(s.tasks[0]?.assignees, ['ada@example.com', 'bob@example.com']);
  assert.equal(s.tasks[0]?.comments[0]?.author, 'bob@example.com');
  assert.equal(s.tasks[0]?.rank, 'm');
  assert.equal(s.tasks[1]?.parent, 'WEB-1');
  assert.deepEqual(s.unmapped, [
    {
      where: 'task WEB-1',
      field: 'attachments',
      reason: '1 attachment is not copied (the export lists their download paths: a.png)',
    },
  ]);
});

test('another version or a broken task list is a 400 naming the place', () => {
  assert.throws(
    () => readPmsJson({ ...doc, version: 2 }),
    (e: unknown) => e instanceof AppError && e.details?.[0]?.path === 'body.version',
  );
  assert.throws(
    () => readPmsJson({ ...doc, tasks: [{ key: 'WEB-1' }] }),
    (e: unknown) => e instanceof AppError && e.details?.[0]?.path === 'body.tasks.0.title',
  );
});

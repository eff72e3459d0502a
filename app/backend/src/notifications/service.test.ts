import assert from 'node:assert/strict';
import { test } from 'node:test';
import { taskUrl } from './service.ts';

test('email links point at the frontend task page', () => {
  assert.equal(
    taskUrl('https://pms.example.com/', 'WEB-42'),
    'https://pms.example.com/projects/WEB/tasks/42',
  );
  assert.equal(
    taskUrl('http://localhost:3000', 'A1-7'),
    'http://localhost:3000/projects/A1/tasks/7',
  );
});

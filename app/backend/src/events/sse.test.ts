import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatComment, formatMessage, formatRetry } from './sse.ts';

test('formatMessage writes id, event and one data line per line, then a blank line', () => {
  assert.equal(
    formatMessage({ id: 'a1', event: 'project', data: { x: 1 } }),
    'id: a1\nevent: project\ndata: {"x":1}\n\n',
  );
  assert.equal(formatMessage({ data: 'two\nlines' }), 'data: two\ndata: lines\n\n');
});

test('newlines cannot break out of the id or event field', () => {
  assert.equal(
    formatMessage({ id: 'a\nevent: evil', event: 'x\r\ny', data: 1 }),
    'id: a event: evil\nevent: x  y\ndata: 1\n\n',
  );
});

test('comments and retry', () => {
  assert.equal(formatComment('heartbeat'), ': heartbeat\n\n');
  assert.equal(formatRetry(2999.6), 'retry: 3000\n\n');
});

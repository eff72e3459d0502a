import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { createLogger, describeError } from './log.ts';

// What client-node throws while the API server initialises: its message is the whole exchange.
const starting = new ApiException(
  503,
  'Unknown API Status Code!',
  JSON.stringify({
    kind: 'Status',
    status: 'Failure',
    reason: 'ServiceUnavailable',
    message: 'the server is currently unable to handle the request',
    code: 503,
  }),
  { 'content-type': 'application/json', 'audit-id': 'x', date: 'Mon' },
);

test('an API error is one line: status code, reason and the Status message', () => {
  assert.equal(
    describeError(starting),
    '503 ServiceUnavailable: the server is currently unable to handle the request',
  );
  assert.equal(
    describeError(new ApiException(404, 'nf', { reason: 'NotFound' }, {})),
    '404 NotFound',
  );
  assert.equal(describeError(new ApiException(500, 'x', 'not json', {})), '500: not json');
  assert.equal(describeError(new Error('plain')), 'plain');
  assert.equal(describeError('text'), 'text');
});

test('logging an API error object writes the summary, not the dump', () => {
  const lines: string[] = [];
  const log = createLogger('info', {}, (l) => lines.push(l));
  log.warn('lease acquire/renew failed', { error: starting });
  assert.equal(lines.length, 1);
  const line = lines[0] ?? '';
  assert.doesNotMatch(line, /Headers|audit-id|HTTP-Code|\\n/);
  assert.match(line, /503 ServiceUnavailable: the server is currently unable/);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, describeError, fieldErrors, toApiError } from './api-error.ts';

describe('toApiError', () => {
  it('reads the API error shape', () => {
    const e = toApiError(400, {
      error: 'validation_error',
      message: 'Invalid request',
      details: [
        { path: 'body.title', message: 'Required' },
        { path: 'body.title', message: 'Too short' },
        { path: 'query.limit', message: 'Too big' },
      ],
    });
    assert.equal(e.code, 'validation_error');
    assert.deepEqual(fieldErrors(e), { title: 'Required', limit: 'Too big' });
    assert.equal(describeError(e), 'title: Required; title: Too short; limit: Too big');
  });
  it('falls back for non-JSON bodies and reads Retry-After', () => {
    const e = toApiError(429, 'gateway html', '7');
    assert.equal(e.code, 'error');
    assert.equal(e.retryAfter, 7);
    assert.match(describeError(e), /Try again in 7 s/);
    assert.equal(toApiError(502, null).code, 'internal_error');
    assert.match(toApiError(502, null).message, /not reachable/);
  });
  it('describes other errors', () => {
    assert.equal(describeError(new Error('x')), 'x');
    assert.equal(describeError(42), 'Something went wrong.');
    assert.deepEqual(fieldErrors(new Error('x')), {});
    assert.ok(new ApiError(404, 'not_found', 'Project not found') instanceof Error);
  });
});

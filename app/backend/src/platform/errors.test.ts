import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, toAppError } from './errors.ts';

test('library errors map to the catalog', () => {
  assert.equal(toAppError({ type: 'entity.parse.failed' }).code, 'bad_request');
  assert.equal(toAppError({ type: 'entity.too.large' }).status, 413);
  assert.equal(toAppError({ code: 11000 }).code, 'conflict');
  assert.equal(toAppError({ name: 'MongoServerSelectionError' }).status, 503);
  assert.equal(toAppError({ name: 'MongoServerSelectionError' }).headers['Retry-After'], '5');
  assert.equal(toAppError(new Error('boom')).code, 'internal_error');
  const own = new AppError('forbidden', 'no');
  assert.equal(toAppError(own), own);
});

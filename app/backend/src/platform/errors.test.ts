import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, conflictOnDuplicate, isDuplicateKey, toAppError } from './errors.ts';

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

test('a duplicate key (E11000) becomes 409 with the given message; other errors pass through', async () => {
  assert.equal(isDuplicateKey({ code: 11000 }), true);
  assert.equal(isDuplicateKey({ code: '11000' }), false);
  assert.equal(isDuplicateKey(null), false);
  assert.equal(await conflictOnDuplicate(async () => 'written', 'taken'), 'written');
  await assert.rejects(
    conflictOnDuplicate(
      () => Promise.reject(Object.assign(new Error('E11000'), { code: 11000 })),
      'Key taken',
    ),
    (err: unknown) => err instanceof AppError && err.status === 409 && err.message === 'Key taken',
  );
  const other = new Error('network');
  await assert.rejects(
    conflictOnDuplicate(() => Promise.reject(other), 'Key taken'),
    (e) => e === other,
  );
});

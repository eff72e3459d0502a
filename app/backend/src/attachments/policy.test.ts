import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeFilename, typeAllowed } from './policy.ts';

test('content type allow-list with wildcards', () => {
  const allowed = ['image/*', 'application/pdf'];
  assert.equal(typeAllowed('image/png', allowed), true);
  assert.equal(typeAllowed('IMAGE/PNG; charset=binary', allowed), true);
  assert.equal(typeAllowed('application/pdf', allowed), true);
  assert.equal(typeAllowed('application/x-msdownload', allowed), false);
  assert.equal(typeAllowed('imagefoo/png', allowed), false);
  assert.equal(typeAllowed('', allowed), false);
});

test('file names lose paths and control characters', () => {
  assert.equal(safeFilename('../../etc/passwd'), 'passwd');
  assert.equal(safeFilename('C:\\x\\report.pdf'), 'report.pdf');
  assert.equal(safeFilename('a\u0000b\nc.txt'), 'abc.txt');
  assert.equal(safeFilename('..'), 'file');
});

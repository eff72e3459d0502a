import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AppError } from '../platform/errors.ts';
import { readLimited, tooLarge } from './body.ts';

const chunks = (...sizes: number[]) => Readable.from(sizes.map((n) => Buffer.alloc(n, 0x61)));
const is413 = (e: unknown) =>
  e instanceof AppError && e.status === 413 && /import limit of 1 KiB/.test(e.message);

test('reads a body up to the limit', async () => {
  const b = await readLimited(chunks(300, 300, 424), 1024, null);
  assert.equal(b.length, 1024);
});

test('one byte over the limit is a 413 naming it; the rest is read, not kept', async () => {
  const body = chunks(1000, 25, 2000);
  await assert.rejects(readLimited(body, 1024, null), is413);
  assert.equal(body.readableEnded, true);
});

test('a declared length over the limit is refused even if fewer bytes arrive', async () => {
  await assert.rejects(readLimited(chunks(10), 1024, 2048), is413);
});

test('a body far over the limit is cut off instead of read to the end', async () => {
  const body = chunks(...Array.from({ length: 20 }, () => 1024));
  await assert.rejects(readLimited(body, 1024, null), is413);
  assert.equal(body.destroyed, true);
});

test('the message gives MiB for whole MiB', () => {
  assert.match(tooLarge(5 * 1024 * 1024).message, /5 MiB \(5242880 bytes, IMPORT_MAX_BYTES\)/);
});

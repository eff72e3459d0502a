// Reads an upload's bytes up to a limit. Past the limit the rest is read and dropped (up to a
// bound) before the 413 is sent: a client still sending would otherwise see a reset connection
// instead of the answer that names the limit.
import type { Readable } from 'node:stream';
import { AppError } from '../platform/errors.ts';

const mib = (n: number) =>
  n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${Math.round(n / 1024)} KiB`;

export function tooLarge(max: number): AppError {
  return new AppError(
    'payload_too_large',
    `The file is larger than the import limit of ${mib(max)} (${max} bytes, IMPORT_MAX_BYTES)`,
    { details: [{ path: 'body', message: `at most ${max} bytes` }] },
  );
}

export async function readLimited(
  body: Readable,
  max: number,
  declared: number | null,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let over = declared !== null && declared > max;
  for await (const c of body as AsyncIterable<Buffer>) {
    total += c.length;
    if (total > max) over = true;
    if (over) {
      if (total > max * 4) {
        body.destroy();
        break;
      }
      continue;
    }
    chunks.push(c);
  }
  if (over) throw tooLarge(max);
  return Buffer.concat(chunks);
}

// Instances for the renderer tests (not a test file itself).
import { parseInstance, type PmsInstance } from '../api/spec.ts';

export function makeInstance(spec: Record<string, unknown> = {}, name = 'acme'): PmsInstance {
  return parseInstance({
    metadata: { name, namespace: 'tenant-a', uid: 'uid-1234', generation: 3 },
    spec: { version: '2.1.0', host: 'acme.pms.example.com', ...spec },
  });
}

/** A deterministic "random" source: counts up from `seed`. Never use outside tests. */
export function countingRandom(seed = 0): (n: number) => Uint8Array {
  let next = seed;
  return (n) => Uint8Array.from({ length: n }, () => next++ % 256);
}

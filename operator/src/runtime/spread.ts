// Where in the resync period each primary object is reconciled.
//
// Queuing every instance at the same tick makes each resync a burst: all instances reconciled
// back to back, their garbage piling up faster than V8 collects it. Each key instead gets a
// fixed offset in the period from a hash of its name, so reconciles are spread evenly and each
// key still runs once per period.

/** 32-bit FNV-1a: stable across restarts and processes, cheap, well spread for short keys. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The key's delay after a resync tick, in [0, periodMs). */
export function resyncOffsetMs(key: string, periodMs: number): number {
  return Math.floor((fnv1a(key) / 2 ** 32) * periodMs);
}

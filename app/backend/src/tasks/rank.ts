// Fractional ranks: strings over 0-9a-z that sort lexicographically (byte order, as MongoDB
// compares strings). rankBetween(a, b) returns a string strictly between a and b, so moving a
// task rewrites only that task. Ranks never end in '0', which keeps room below every rank.

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const BASE = ALPHABET.length;
const digit = (c: string | undefined): number => (c === undefined ? 0 : ALPHABET.indexOf(c));

export function isValidRank(r: string): boolean {
  return r.length > 0 && /^[0-9a-z]+$/.test(r) && !r.endsWith('0');
}

/**
 * A rank strictly between `a` and `b`. `a = null` means "before everything", `b = null` means
 * "after everything". Throws if a >= b.
 */
export function rankBetween(a: string | null, b: string | null): string {
  const lo = a ?? '';
  let hi = b;
  if (hi !== null && lo >= hi)
    throw new Error(`rankBetween: ${JSON.stringify(lo)} >= ${JSON.stringify(hi)}`);
  let out = '';
  for (let i = 0; ; i++) {
    const dl = digit(lo[i]);
    const dh = hi === null ? BASE : i < hi.length ? digit(hi[i]) : 0;
    if (dl === dh) {
      out += ALPHABET[dl];
      continue;
    }
    const mid = Math.floor((dl + dh) / 2);
    if (mid > dl) return out + ALPHABET[mid];
    // dh = dl + 1: keep dl; from here on the upper bound no longer constrains.
    out += ALPHABET[dl];
    hi = null;
  }
}

/** n evenly spread ranks, for re-balancing a column. */
export function spreadRanks(n: number): string[] {
  const width = Math.max(1, Math.ceil(Math.log(n + 2) / Math.log(BASE)));
  const span = BASE ** width;
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    let v = Math.floor((i * span) / (n + 1));
    let s = '';
    for (let k = 0; k < width; k++) {
      s = ALPHABET[v % BASE] + s;
      v = Math.floor(v / BASE);
    }
    out.push(s.endsWith('0') ? `${s}i` : s);
  }
  return out;
}

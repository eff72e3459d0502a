// IPv4 CIDR arithmetic for ipBlock: `cidr` minus its `except` blocks becomes a list of plain
// CIDRs, so every allow rule is one iptables rule with `-s`/`-d` and no marks or sub-chains.
// IPv6 blocks are skipped by the caller: the test node's pods are IPv4 only.

export interface Block {
  /** Network address as an unsigned 32-bit number (host bits cleared). */
  base: number;
  prefix: number;
}

export function parseIpv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

const mask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** "10.0.0.0/8" → its block; host bits are cleared (as Go's net.ParseCIDR does). IPv6 or
 * malformed input gives undefined. */
export function parseCidr(cidr: string): Block | undefined {
  const [ip, len, ...rest] = cidr.split('/');
  if (rest.length > 0 || ip === undefined || len === undefined || !/^\d{1,2}$/.test(len))
    return undefined;
  const prefix = Number(len);
  const addr = parseIpv4(ip);
  if (addr === undefined || prefix > 32) return undefined;
  return { base: (addr & mask(prefix)) >>> 0, prefix };
}

export function formatBlock(b: Block): string {
  const o = [24, 16, 8, 0].map((s) => (b.base >>> s) & 255);
  return `${o.join('.')}/${b.prefix}`;
}

/** Whether `outer` contains `inner` (or is equal to it). */
export function contains(outer: Block, inner: Block): boolean {
  return outer.prefix <= inner.prefix && (inner.base & mask(outer.prefix)) >>> 0 === outer.base;
}

export function containsIp(outer: Block, ip: string): boolean {
  const a = parseIpv4(ip);
  return a !== undefined && contains(outer, { base: a, prefix: 32 });
}

function subtractOne(block: Block, ex: Block): Block[] {
  if (contains(ex, block)) return [];
  if (!contains(block, ex)) return [block]; // CIDRs either nest or are disjoint
  const prefix = block.prefix + 1;
  const halves = [
    { base: block.base, prefix },
    { base: (block.base | (1 << (32 - prefix))) >>> 0, prefix },
  ];
  return halves.flatMap((h) => subtractOne(h, ex));
}

/** `cidr` minus every block of `except`, as the fewest CIDRs, sorted by address. */
export function subtractCidrs(cidr: Block, except: Block[]): Block[] {
  let out = [cidr];
  for (const ex of except) out = out.flatMap((b) => subtractOne(b, ex));
  return out.sort((a, b) => a.base - b.base || a.prefix - b.prefix);
}

// Classification of IP addresses for outbound webhook requests (SSRF protection). Pure: no DNS,
// no sockets. An address is parsed into bytes (4 for IPv4, 16 for IPv6) and compared with the
// special-purpose ranges of the IANA registries; IPv6 forms that carry an IPv4 address
// (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4
// address inside, so ::ffff:127.0.0.1 is loopback like 127.0.0.1.
import { isIP } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

function parseV4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

function parseV6(input: string): Uint8Array | null {
  let s = input.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return null;
  // An embedded dotted quad at the end is rewritten as two hex words.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseV4(tail);
    if (!v4) return null;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hex(v4[0] ?? 0, v4[1] ?? 0)}:${hex(v4[2] ?? 0, v4[3] ?? 0)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const toWords = (part: string) =>
    part === '' ? [] : part.split(':').map((w) => parseInt(w, 16));
  const head = toWords(halves[0] ?? '');
  const tailWords = halves.length === 2 ? toWords(halves[1] ?? '') : [];
  const zeros = halves.length === 2 ? 8 - head.length - tailWords.length : 0;
  if (zeros < 0) return null;
  const words = [...head, ...new Array<number>(zeros).fill(0), ...tailWords];
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff))
    return null;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = (w >> 8) & 0xff;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** Parses an IPv4 or IPv6 literal (brackets and zone ids accepted) into 4 or 16 bytes. */
export function parseIp(s: string): Uint8Array | null {
  return isIP(s) === 4 ? parseV4(s) : parseV6(s);
}

/** Parses `a.b.c.d/n` or `x::y/n` (a bare address is a /32 or /128). */
export function parseCidr(s: string): Cidr | null {
  const [addr = '', len] = s.trim().split('/');
  const bytes = parseIp(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (len === undefined) return { bytes, prefix: max };
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) return null;
  return { bytes, prefix: Number(len) };
}

function inCidr(bytes: Uint8Array, c: Cidr): boolean {
  if (bytes.length !== c.bytes.length) return false;
  for (let bit = 0; bit < c.prefix; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[i] ?? 0) & mask) !== ((c.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

const cidr = (s: string): Cidr => {
  const c = parseCidr(s);
  if (!c) throw new Error(`bad built-in CIDR ${s}`);
  return c;
};

// First match wins (::/96 comes after ::/128 and ::1/128).
const V4: [Cidr, AddressClass][] = [
  [cidr('0.0.0.0/8'), 'unspecified'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'private'], // carrier-grade NAT (shared address space)
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local'], // includes cloud metadata 169.254.169.254
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved'],
  [cidr('192.0.2.0/24'), 'reserved'],
  [cidr('192.88.99.0/24'), 'reserved'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'reserved'],
  [cidr('198.51.100.0/24'), 'reserved'],
  [cidr('203.0.113.0/24'), 'reserved'],
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('240.0.0.0/4'), 'reserved'], // includes broadcast 255.255.255.255
];

const V6: [Cidr, AddressClass][] = [
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  [cidr('64:ff9b:1::/48'), 'private'], // local-use NAT64
  [cidr('100::/64'), 'reserved'], // discard-only
  [cidr('2001::/23'), 'reserved'], // IETF protocol assignments incl. Teredo
  [cidr('2001:db8::/32'), 'reserved'], // documentation
  [cidr('fc00::/7'), 'unique-local'],
  [cidr('fe80::/10'), 'link-local'],
  [cidr('fec0::/10'), 'private'], // deprecated site-local
  [cidr('ff00::/8'), 'multicast'],
  [cidr('::/96'), 'reserved'], // deprecated IPv4-compatible
];

/** The IPv4 address an IPv6 address carries (mapped, NAT64 or 6to4), if any. */
export function embeddedV4(b: Uint8Array): Uint8Array | null {
  if (b.length !== 16) return null;
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12, 16); // ::ffff:0:0/96
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12))
    return b.slice(12, 16); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 2002::/16
  return null;
}

/** What kind of address this is; `reserved` for anything unparsable. */
export function classifyAddress(ip: string): AddressClass {
  const b = parseIp(ip);
  if (!b) return 'reserved';
  return classifyBytes(b);
}

function classifyBytes(b: Uint8Array): AddressClass {
  const v4 = b.length === 16 ? embeddedV4(b) : b;
  if (v4) {
    for (const [c, cls] of V4) if (inCidr(v4, c)) return cls;
    return 'public';
  }
  for (const [c, cls] of V6) if (inCidr(b, c)) return cls;
  return 'public';
}

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: every class but multicast and unspecified is allowed. */
  allowPrivate: boolean;
  /** WEBHOOK_ALLOWED_CIDRS: internal ranges allowed in spite of their class. */
  allowed: Cidr[];
}

/**
 * null when the policy allows the address, else why not. Multicast and unspecified addresses are
 * never HTTP servers and are always refused (0.0.0.0 would reach the local host on Linux).
 */
export function refusalReason(ip: string, policy: TargetPolicy): string | null {
  const b = parseIp(ip);
  if (!b) return `${ip} is not an IP address`;
  const cls = classifyBytes(b);
  if (cls === 'public') return null;
  if (cls === 'multicast' || cls === 'unspecified') return `${ip} is a ${cls} address`;
  if (policy.allowPrivate) return null;
  const v4 = b.length === 16 ? embeddedV4(b) : null;
  if (policy.allowed.some((c) => inCidr(b, c) || (v4 !== null && inCidr(v4, c)))) return null;
  return `${ip} is a ${cls} address`;
}

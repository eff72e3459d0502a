// Where a webhook may send requests (SSRF protection). A URL must be http(s) without
// credentials; its host is resolved and EVERY address must be allowed by the instance policy.
// The request then connects to exactly the addresses that were checked (pinnedLookup), so a DNS
// answer that changes between the check and the connection (DNS rebinding) cannot redirect it
// to an internal address.
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { TConfig } from '../platform/config.ts';
import { parseCidr, refusalReason, type Cidr, type TargetPolicy } from './address.ts';

export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

export function policyOf(
  config: Pick<TConfig, 'WEBHOOK_ALLOW_PRIVATE_TARGETS' | 'WEBHOOK_ALLOWED_CIDRS'>,
): TargetPolicy {
  return {
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    allowed: config.WEBHOOK_ALLOWED_CIDRS.map(parseCidr).filter((c): c is Cidr => c !== null),
  };
}

/** Static checks of a target URL (no DNS): null when fine, else the problem. */
export function urlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must use http or https';
  if (u.username || u.password) return 'must not contain credentials (user:password@)';
  if (!u.hostname) return 'must name a host';
  return null;
}

/** The URL's host without IPv6 brackets (URL keeps them in `hostname`). */
export const hostOf = (u: URL): string => u.hostname.replace(/^\[|\]$/g, '');

export type Resolver = (host: string) => Promise<LookupAddress[]>;
const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * The addresses to connect to for `url`, all checked against the policy; throws TargetRefused
 * naming the host, the address and its class. IP literals are checked without DNS (the WHATWG
 * URL parser has already normalised forms such as `2130706433` or `0x7f.1` to dotted quads).
 */
export async function resolveTarget(
  url: URL,
  policy: TargetPolicy,
  resolve: Resolver = systemResolver,
): Promise<LookupAddress[]> {
  const host = hostOf(url);
  const family = isIP(host);
  let addresses: LookupAddress[];
  if (family !== 0) addresses = [{ address: host, family }];
  else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw new TargetRefused(
        `${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (addresses.length === 0) throw new TargetRefused(`${host} does not resolve`);
  }
  for (const a of addresses) {
    const why = refusalReason(a.address, policy);
    if (why)
      throw new TargetRefused(
        `${family ? '' : `${host} resolves to `}${why}; internal targets are not allowed on this instance (WEBHOOK_ALLOW_PRIVATE_TARGETS, WEBHOOK_ALLOWED_CIDRS)`,
      );
  }
  return addresses;
}

/** A socket `lookup` that answers with the checked addresses only (no second DNS query). */
export function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      callback(null, addresses);
      return;
    }
    const want = options.family === 4 || options.family === 6 ? options.family : 0;
    const first = addresses.find((a) => want === 0 || a.family === want) ?? addresses[0];
    if (!first) callback(new Error('no address') as NodeJS.ErrnoException, '', 0);
    else callback(null, first.address, first.family);
  };
}

// The TCP ports an external data store's connection string points at, for the NetworkPolicy
// egress rules (render/networkpolicies.ts). Pure and self-contained on purpose: the backend
// has a full MongoDB URI parser (app/backend/src/platform/connection-uri.ts), but the operator
// does not import across packages and only needs the ports.
//
// A connection string holds a password: nothing here ever copies the input (or any part of it
// before the host list) into an error message, so a message can go into a status condition.

export class ConnectionStringError extends Error {
  override name = 'ConnectionStringError';
}

export const MONGODB_DEFAULT_PORT = 27017;
export const REDIS_DEFAULT_PORT = 6379;

function port(text: string, hostIndex: number): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535))
    throw new ConnectionStringError(
      `host ${hostIndex + 1}: the port is not a number from 1 to 65535`,
    );
  return n;
}

/** The port of one `host[:port]` / `[v6]:port` entry, or `fallback` when it has none. */
function hostPort(entry: string, hostIndex: number, fallback: number): number {
  if (entry === '') throw new ConnectionStringError(`host ${hostIndex + 1} is empty`);
  if (entry.startsWith('[')) {
    const end = entry.indexOf(']');
    if (end < 0)
      throw new ConnectionStringError(`host ${hostIndex + 1}: unclosed "[" of an IPv6 address`);
    const rest = entry.slice(end + 1);
    if (rest === '') return fallback;
    if (!rest.startsWith(':'))
      throw new ConnectionStringError(`host ${hostIndex + 1}: unexpected text after "]"`);
    return port(rest.slice(1), hostIndex);
  }
  const colon = entry.lastIndexOf(':');
  return colon < 0 ? fallback : port(entry.slice(colon + 1), hostIndex);
}

/**
 * The comma-separated host list of `scheme://[userinfo@]hosts[/path][?query]`. Userinfo must be
 * percent-encoded (the MongoDB spec and the backend's parser require it), so the authority
 * ends at the first `/`, `?` or `#`, and the hosts start after its last `@`.
 */
function hostList(
  value: string,
  schemes: readonly string[],
  what: string,
): { scheme: string; hosts: string[] } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value.trim());
  const scheme = m?.[1]?.toLowerCase();
  if (!m || scheme === undefined || !schemes.includes(scheme))
    throw new ConnectionStringError(
      `${what} must start with ${schemes.map((s) => `${s}://`).join(' or ')}`,
    );
  const rest = value.trim().slice(m[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  if (hosts === '') throw new ConnectionStringError(`${what} has no host`);
  return { scheme, hosts: hosts.split(',') };
}

/**
 * Distinct ports of a MongoDB connection string, ascending: every seed host's port (27017 when
 * absent). `mongodb+srv://` names one host whose SRV records list the members; their ports are
 * not known without DNS, so it is read as 27017 (what Atlas and most SRV set-ups use).
 */
export function mongoUriPorts(uri: string): number[] {
  const { scheme, hosts } = hostList(uri, ['mongodb', 'mongodb+srv'], 'a MongoDB URI');
  if (scheme === 'mongodb+srv') {
    if (hosts.length !== 1 || hostPort(hosts[0] ?? '', 0, 0) !== 0)
      throw new ConnectionStringError('a mongodb+srv URI names exactly one host and no port');
    return [MONGODB_DEFAULT_PORT];
  }
  return distinct(hosts.map((h, n) => hostPort(h, n, MONGODB_DEFAULT_PORT)));
}

/** The port of a Redis URL (`redis://` or `rediss://`, 6379 when absent). */
export function redisUrlPorts(url: string): number[] {
  const { hosts } = hostList(url, ['redis', 'rediss'], 'a Redis URL');
  if (hosts.length !== 1) throw new ConnectionStringError('a Redis URL names exactly one host');
  return [hostPort(hosts[0] ?? '', 0, REDIS_DEFAULT_PORT)];
}

const distinct = (ports: number[]) => [...new Set(ports)].sort((a, b) => a - b);

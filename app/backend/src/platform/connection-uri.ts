// MongoDB connection strings, parsed without `new URL()`: the WHATWG parser rejects the
// multi-host form a replica set needs (`mongodb://u:p@h1:27017,h2:27017/db?replicaSet=rs0`)
// and knows nothing about `mongodb+srv://`. The rules follow the MongoDB connection-string
// spec: credentials percent-encoded, hosts comma-separated with optional ports (IPv6 in
// brackets), an optional database path and `&`-separated options.
//
// Nothing here ever puts a password into an error message; `redactUri` removes credentials
// from any text before it is printed or logged.

export interface MongoHost {
  host: string;
  port: number | undefined;
}

export interface MongoUri {
  scheme: 'mongodb' | 'mongodb+srv';
  username: string | undefined;
  password: string | undefined;
  hosts: MongoHost[];
  database: string | undefined;
  options: Record<string, string>;
}

export class ConnectionUriError extends Error {
  override name = 'ConnectionUriError';
}

// RFC 3986 userinfo characters except ':' (the separator) and '%' (checked as escapes).
const USERINFO = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);
const IPV6 = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._~-]+)?$/;
// Characters MongoDB does not allow in database names.
const BAD_DB_CHAR = /[/\\. "$\0]/;

function decode(part: string, what: string): string {
  if (!USERINFO.test(part)) {
    throw new ConnectionUriError(
      `${what} contains characters that must be percent-encoded (e.g. @ : / ? # [ ] %)`,
    );
  }
  return decodeURIComponent(part);
}

function parsePort(text: string, host: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new ConnectionUriError(`host ${host}: port must be a number from 1 to 65535`);
  }
  return port;
}

export function parseHost(text: string): MongoHost {
  if (text === '') throw new ConnectionUriError('empty host in the host list');
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    const host = end > 0 ? text.slice(1, end) : '';
    if (!IPV6.test(host) || !host.includes(':')) {
      throw new ConnectionUriError(`host ${text}: not a bracketed IPv6 address`);
    }
    const rest = text.slice(end + 1);
    if (rest === '') return { host, port: undefined };
    if (!rest.startsWith(':')) throw new ConnectionUriError(`host ${text}: unexpected "${rest}"`);
    return { host, port: parsePort(rest.slice(1), text) };
  }
  // A UNIX domain socket path, percent-encoded (`%2Ftmp%2Fmongodb-27017.sock`).
  if (/^%2F/i.test(text)) {
    const path = decodeURIComponent(text);
    if (!path.endsWith('.sock')) throw new ConnectionUriError(`host ${text}: not a .sock path`);
    return { host: path, port: undefined };
  }
  const colon = text.indexOf(':');
  const host = colon === -1 ? text : text.slice(0, colon);
  if (!HOSTNAME.test(host)) throw new ConnectionUriError(`host ${text}: not a valid host name`);
  return { host, port: colon === -1 ? undefined : parsePort(text.slice(colon + 1), text) };
}

function parseOptions(text: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConnectionUriError(`option "${pair}" must be key=value`);
    try {
      options[decodeURIComponent(pair.slice(0, eq))] = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      throw new ConnectionUriError(`option ${pair.slice(0, eq)}: bad percent-encoding`);
    }
  }
  return options;
}

/** Parses a `mongodb://` or `mongodb+srv://` connection string; throws ConnectionUriError. */
export function parseMongoUri(uri: string): MongoUri {
  const m = /^(mongodb(?:\+srv)?):\/\/(.*)$/s.exec(uri);
  if (!m) throw new ConnectionUriError('must start with mongodb:// or mongodb+srv://');
  const scheme = m[1] as MongoUri['scheme'];
  let rest = m[2] ?? '';

  // Credentials end at the last '@' before the query: a raw '@' in a password is an error
  // reported below (it must be %40), not a host.
  const query = rest.indexOf('?');
  const at = rest.lastIndexOf('@', query === -1 ? rest.length : query);
  let username: string | undefined;
  let password: string | undefined;
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    if (user === '') throw new ConnectionUriError('credentials given without a user name');
    username = decode(user, 'the user name');
    if (colon !== -1) password = decode(userinfo.slice(colon + 1), 'the password');
  }

  const slash = rest.search(/[/?]/);
  const hostList = slash === -1 ? rest : rest.slice(0, slash);
  const tail = slash === -1 ? '' : rest.slice(slash);
  if (hostList === '') throw new ConnectionUriError('no host given');
  const hosts = hostList.split(',').map(parseHost);

  if (tail.startsWith('?')) {
    throw new ConnectionUriError('options must follow a "/" after the hosts (…:27017/?opt=…)');
  }
  const q = tail.indexOf('?');
  const path = (q === -1 ? tail : tail.slice(0, q)).slice(1);
  let database: string | undefined;
  if (path !== '') {
    try {
      database = decodeURIComponent(path);
    } catch {
      throw new ConnectionUriError('database name: bad percent-encoding');
    }
    if (BAD_DB_CHAR.test(database)) {
      throw new ConnectionUriError(`database name "${database}" contains / \\ . " $ or a space`);
    }
  }
  const options = q === -1 ? {} : parseOptions(tail.slice(q + 1));

  if (scheme === 'mongodb+srv') {
    const [first] = hosts;
    if (hosts.length !== 1 || !first || first.port !== undefined) {
      throw new ConnectionUriError('mongodb+srv:// takes exactly one host name and no port');
    }
    if (first.host.startsWith('/') || first.host.includes(':')) {
      throw new ConnectionUriError('mongodb+srv:// needs a DNS host name');
    }
  }
  return { scheme, username, password, hosts, database, options };
}

/**
 * Replaces the credentials of every URI in `text` (any scheme) with `***`, e.g.
 * `mongodb://u:p@h1,h2/db` → `mongodb://***@h1,h2/db`. Greedy up to the last '@' of the token,
 * so a password with an unescaped '@' or '/' is still hidden.
 */
export function redactUri(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s"'<>@]*(?:@[^\s"'<>@]*)*@/g, '$1***@');
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionUriError, parseHost, parseMongoUri, redactUri } from './connection-uri.ts';

test('a replica-set URI with several hosts, credentials, database and options', () => {
  const u = parseMongoUri(
    'mongodb://u:p@h1:27017,h2:27017,h3:27017/pms?replicaSet=rs0&authSource=admin',
  );
  assert.deepEqual(u, {
    scheme: 'mongodb',
    username: 'u',
    password: 'p',
    hosts: [
      { host: 'h1', port: 27017 },
      { host: 'h2', port: 27017 },
      { host: 'h3', port: 27017 },
    ],
    database: 'pms',
    options: { replicaSet: 'rs0', authSource: 'admin' },
  });
});

test('mongodb+srv:// with one host name and no port', () => {
  const u = parseMongoUri('mongodb+srv://app:s3cr%40t@cluster0.example.net/pms?retryWrites=true');
  assert.equal(u.scheme, 'mongodb+srv');
  assert.equal(u.password, 's3cr@t');
  assert.deepEqual(u.hosts, [{ host: 'cluster0.example.net', port: undefined }]);
  assert.equal(u.database, 'pms');
  assert.deepEqual(u.options, { retryWrites: 'true' });
});

test('minimal forms: no credentials, no port, no database, empty options', () => {
  assert.deepEqual(parseMongoUri('mongodb://localhost'), {
    scheme: 'mongodb',
    username: undefined,
    password: undefined,
    hosts: [{ host: 'localhost', port: undefined }],
    database: undefined,
    options: {},
  });
  assert.equal(parseMongoUri('mongodb://localhost:27017/').database, undefined);
  assert.deepEqual(parseMongoUri('mongodb://h/?tls=true').options, { tls: 'true' });
  assert.equal(parseMongoUri('mongodb://user@h/db').username, 'user');
  assert.equal(parseMongoUri('mongodb://user@h/db').password, undefined);
  assert.equal(parseMongoUri('mongodb://u:@h').password, '');
});

test('hosts: IPv4, IPv6 in brackets (with and without port), UNIX socket, FQDN', () => {
  assert.deepEqual(parseHost('10.0.0.5:27018'), { host: '10.0.0.5', port: 27018 });
  assert.deepEqual(parseHost('[::1]'), { host: '::1', port: undefined });
  assert.deepEqual(parseHost('[fe80::1%eth0]:27017'), { host: 'fe80::1%eth0', port: 27017 });
  assert.deepEqual(parseHost('%2Ftmp%2Fmongodb-27017.sock'), {
    host: '/tmp/mongodb-27017.sock',
    port: undefined,
  });
  assert.deepEqual(parseHost('pms-mongodb-0.pms-mongodb.ns.svc.cluster.local:27017'), {
    host: 'pms-mongodb-0.pms-mongodb.ns.svc.cluster.local',
    port: 27017,
  });
  const u = parseMongoUri('mongodb://[2001:db8::1]:27017,[2001:db8::2]/pms');
  assert.deepEqual(
    u.hosts.map((h) => h.host),
    ['2001:db8::1', '2001:db8::2'],
  );
});

test('percent-encoded credentials are decoded', () => {
  const u = parseMongoUri('mongodb://us%3Aer:p%2Fa%3As%40s%25@h/db');
  assert.equal(u.username, 'us:er');
  assert.equal(u.password, 'p/a:s@s%');
});

const bad: Array<[string, RegExp]> = [
  ['http://h/db', /must start with mongodb/],
  ['mongodb:/h', /must start with mongodb/],
  ['mongodb://', /no host/],
  ['mongodb://u:p@/db', /no host/],
  ['mongodb://h1,,h2', /empty host/],
  ['mongodb://h:0', /port/],
  ['mongodb://h:65536', /port/],
  ['mongodb://h:abc', /port/],
  ['mongodb://[::1', /IPv6/],
  ['mongodb://[::1]x', /unexpected/],
  ['mongodb://bad_host!', /host name/],
  ['mongodb://:p@h', /without a user name/],
  ['mongodb://u:p:q@h', /percent-encoded/],
  ['mongodb://u:p@ss@h', /percent-encoded/],
  ['mongodb://u:p/s@h', /no host|percent-encoded|host name/],
  ['mongodb://u:p%zz@h', /percent-encoded/],
  ['mongodb://h?x=1', /must follow a "\/"/],
  ['mongodb://h/db.name', /database name/],
  ['mongodb://h/db?novalue', /key=value/],
  ['mongodb+srv://a.example.com,b.example.com', /exactly one host/],
  ['mongodb+srv://a.example.com:27017', /exactly one host/],
  ['mongodb+srv://[::1]', /DNS host name/],
];

for (const [uri, message] of bad) {
  test(`rejects ${uri}`, () => {
    assert.throws(
      () => parseMongoUri(uri),
      (err: unknown) => err instanceof ConnectionUriError && message.test(err.message),
    );
  });
}

test('no error message contains the password', () => {
  const password = 'Hunter2Secret';
  for (const uri of [
    `mongodb://u:${password}@h:99999/db`,
    `mongodb://u:${password}@h/bad.db`,
    `mongodb://u:${password}@@h`,
    `mongodb://u:${password}:x@h`,
    `mongodb+srv://u:${password}@a,b`,
  ]) {
    assert.throws(
      () => parseMongoUri(uri),
      (err: unknown) => err instanceof Error && !err.message.includes(password),
    );
  }
});

test('redactUri hides user:password of every URI in a text, whatever the scheme', () => {
  assert.equal(
    redactUri('connect mongodb://u:p@h1:27017,h2:27017/pms?replicaSet=rs0 failed'),
    'connect mongodb://***@h1:27017,h2:27017/pms?replicaSet=rs0 failed',
  );
  assert.equal(redactUri('mongodb+srv://a:b@c.example.net/x'), 'mongodb+srv://***@c.example.net/x');
  assert.equal(redactUri('"redis://:pw@redis:6379/0"'), '"redis://***@redis:6379/0"');
  // An unescaped '@' or '/' in the password is still hidden.
  assert.equal(redactUri('mongodb://u:p@s/s@h/db'), 'mongodb://***@h/db');
  assert.equal(
    redactUri('two: redis://a:b@r, mongodb://c:d@m'),
    'two: redis://***@r, mongodb://***@m',
  );
  // Nothing to hide.
  assert.equal(redactUri('https://example.com/a?b=c'), 'https://example.com/a?b=c');
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionStringError, mongoUriPorts, redisUrlPorts } from './connection-ports.ts';

const SECRET = 'pa55-w0rd';

/** Asserts that `fn` throws a ConnectionStringError whose message leaks no credential. */
function rejects(fn: () => unknown, includes: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConnectionStringError);
    assert.ok(!err.message.includes(SECRET), err.message);
    assert.ok(!err.message.includes('alice'), err.message);
    assert.match(err.message, new RegExp(includes));
    return true;
  });
}

describe('mongoUriPorts', () => {
  it('reads every seed host, 27017 when a host has no port', () => {
    assert.deepEqual(
      mongoUriPorts(`mongodb://alice:${SECRET}@h1:27017,h2:27018/db`),
      [27017, 27018],
    );
    assert.deepEqual(mongoUriPorts('mongodb://db.example.com'), [27017]);
    assert.deepEqual(mongoUriPorts('mongodb://db.example.com/'), [27017]);
    assert.deepEqual(
      mongoUriPorts('mongodb://h1,h2:27019,h3:27017/pms?replicaSet=rs0'),
      [27017, 27019],
    );
    assert.deepEqual(mongoUriPorts('mongodb://10.1.2.3:3000'), [3000]);
    assert.deepEqual(mongoUriPorts('MONGODB://h:1'), [1]);
  });

  it('reads bracketed IPv6 hosts', () => {
    assert.deepEqual(mongoUriPorts('mongodb://[::1]:27020,[fe80::1]/db'), [27017, 27020]);
  });

  it('takes the hosts after the last @ of the authority, not from the path or options', () => {
    assert.deepEqual(
      mongoUriPorts(`mongodb://alice:${SECRET}@h:1234/db?authSource=admin&x=a:9`),
      [1234],
    );
    assert.deepEqual(mongoUriPorts(`mongodb://alice%40corp:${SECRET}@h:1234`), [1234]);
    assert.deepEqual(mongoUriPorts(`mongodb://@h:1234?appName=a@b:77`), [1234]);
  });

  it('reads mongodb+srv as 27017 and refuses a port or several hosts there', () => {
    assert.deepEqual(
      mongoUriPorts(`mongodb+srv://alice:${SECRET}@cluster0.example.net/pms`),
      [27017],
    );
    rejects(
      () => mongoUriPorts(`mongodb+srv://alice:${SECRET}@c.example.net:27018/pms`),
      'exactly one host',
    );
    rejects(() => mongoUriPorts(`mongodb+srv://alice:${SECRET}@a,b/pms`), 'exactly one host');
  });

  it('refuses what it cannot read, without repeating the URI', () => {
    rejects(() => mongoUriPorts(`postgres://alice:${SECRET}@h:5432`), 'must start with mongodb://');
    rejects(() => mongoUriPorts(`alice:${SECRET}@h:27017`), 'must start with');
    rejects(() => mongoUriPorts(`mongodb://alice:${SECRET}@/db`), 'no host');
    rejects(() => mongoUriPorts(`mongodb://alice:${SECRET}@h1:27017,,h2`), 'host 2 is empty');
    rejects(() => mongoUriPorts(`mongodb://alice:${SECRET}@h1:0`), 'host 1: the port');
    rejects(() => mongoUriPorts(`mongodb://alice:${SECRET}@h1:70000`), 'host 1: the port');
    rejects(() => mongoUriPorts(`mongodb://alice:${SECRET}@h1,h2:x`), 'host 2: the port');
    rejects(() => mongoUriPorts(`mongodb://alice:${SECRET}@h1:`), 'host 1: the port');
    rejects(() => mongoUriPorts(`mongodb://alice:${SECRET}@[::1`), 'unclosed');
    rejects(() => mongoUriPorts(`mongodb://alice:${SECRET}@[::1]x`), 'after "]"');
    rejects(() => mongoUriPorts(''), 'must start with');
  });
});

describe('redisUrlPorts', () => {
  it('reads the port, 6379 when absent, for redis:// and rediss://', () => {
    assert.deepEqual(redisUrlPorts(`redis://:${SECRET}@cache.example.com:6380/0`), [6380]);
    assert.deepEqual(redisUrlPorts(`rediss://alice:${SECRET}@cache.example.com`), [6379]);
    assert.deepEqual(redisUrlPorts('redis://cache'), [6379]);
    assert.deepEqual(redisUrlPorts('redis://[::1]:7000'), [7000]);
  });

  it('refuses other schemes, several hosts and bad ports, without repeating the URL', () => {
    rejects(() => redisUrlPorts(`http://alice:${SECRET}@h:6379`), 'must start with redis://');
    rejects(() => redisUrlPorts(`redis://alice:${SECRET}@a:1,b:2`), 'exactly one host');
    rejects(() => redisUrlPorts(`redis://alice:${SECRET}@h:port`), 'host 1: the port');
    rejects(() => redisUrlPorts(`redis://alice:${SECRET}@`), 'no host');
  });
});

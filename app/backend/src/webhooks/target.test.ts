// The target checks with a stand-in resolver (DNS answers chosen by the test), and one real
// request that proves the connection goes to the address that was checked, not to a second
// DNS answer (the defence against DNS rebinding).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TargetPolicy } from './address.ts';
import { postJson } from './deliver.ts';
import { pinnedLookup, resolveTarget, TargetRefused, urlProblem, type Resolver } from './target.ts';

const strict: TargetPolicy = { allowPrivate: false, allowed: [] };
const answers =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

test('urlProblem: scheme, credentials, syntax', () => {
  assert.equal(urlProblem('https://hooks.example.com/x?y=1'), null);
  assert.equal(urlProblem('http://example.com'), null);
  assert.match(urlProblem('ftp://example.com') ?? '', /http or https/);
  assert.match(urlProblem('javascript:alert(1)') ?? '', /http or https/);
  assert.match(urlProblem('http://a:b@example.com') ?? '', /credentials/);
  assert.match(urlProblem('http://a@example.com') ?? '', /credentials/);
  assert.match(urlProblem('/relative') ?? '', /absolute/);
});

test('every resolved address must be allowed', async () => {
  const u = new URL('https://hooks.example.com/x');
  assert.deepEqual(await resolveTarget(u, strict, answers('93.184.215.14')), [
    { address: '93.184.215.14', family: 4 },
  ]);
  await assert.rejects(
    resolveTarget(u, strict, answers('93.184.215.14', '127.0.0.1')),
    (e: Error) =>
      e instanceof TargetRefused &&
      /hooks\.example\.com resolves to 127\.0\.0\.1 is a loopback address/.test(e.message),
  );
  await assert.rejects(resolveTarget(u, strict, answers('::ffff:169.254.169.254')), /link-local/);
  await assert.rejects(resolveTarget(u, strict, answers()), /does not resolve/);
  const failing: Resolver = async () => {
    throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
  };
  await assert.rejects(resolveTarget(u, strict, failing), /does not resolve \(ENOTFOUND\)/);
});

test('IP literals are checked without DNS', async () => {
  const noDns: Resolver = async () => assert.fail('no DNS query for an IP literal');
  await assert.rejects(resolveTarget(new URL('http://[::1]:8080/'), strict, noDns), /loopback/);
  await assert.rejects(resolveTarget(new URL('http://0x7f.1/'), strict, noDns), /127\.0\.0\.1/);
  assert.equal((await resolveTarget(new URL('http://8.8.8.8/'), strict, noDns)).length, 1);
});

test('pinnedLookup answers with the checked addresses only', () => {
  const look = pinnedLookup([
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ]);
  look('anything.example', { all: true }, (err, list) => {
    assert.equal(err, null);
    assert.deepEqual(list, [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
  });
  look('anything.example', { family: 6 }, (err, address, family) => {
    assert.equal(err, null);
    assert.equal(address, '::1');
    assert.equal(family, 6);
  });
});

test('the request connects to the checked address, not to a new DNS answer', async () => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(String(req.headers.host));
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  try {
    // `pinned.invalid` does not exist in DNS (.invalid is reserved): the request can only have
    // reached the receiver through the address the check saw.
    const r = await postJson(`http://pinned.invalid:${port}/hook`, {}, '{}', {
      policy: {
        allowPrivate: false,
        allowed: [{ bytes: new Uint8Array([127, 0, 0, 1]), prefix: 32 }],
      },
      timeoutMs: 2000,
      resolve: answers('127.0.0.1'),
    });
    assert.equal(r.error, null);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(seen, [`pinned.invalid:${port}`], 'Host header keeps the name');
    // The same name checked against a policy that refuses the answer: nothing is sent.
    const refused = await postJson(`http://pinned.invalid:${port}/hook`, {}, '{}', {
      policy: strict,
      timeoutMs: 2000,
      resolve: answers('127.0.0.1'),
    });
    assert.equal(refused.refused, true);
    assert.equal(seen.length, 1);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

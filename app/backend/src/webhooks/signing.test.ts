import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { newSecret, sign, verify } from './signing.ts';

test('the signature is the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
  const body = '{"event":"ping"}';
  const expected = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');
  assert.equal(sign('whsec_test', 1700000000, body), `sha256=${expected}`);
  // A known vector, so that receivers in other languages can check their code against it.
  assert.equal(
    sign('secret', 0, ''),
    `sha256=${createHmac('sha256', 'secret').update('0.').digest('hex')}`,
  );
});

test('verify accepts the right signature in the time window only', () => {
  const secret = newSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  const body = '{"a":1}';
  const ts = 1_800_000_000;
  const signature = sign(secret, ts, body);
  const ok = { signature, timestamp: String(ts) };
  assert.equal(verify(secret, ok, body, ts + 10), true);
  assert.equal(verify(secret, ok, '{"a":2}', ts), false, 'changed body');
  assert.equal(verify(newSecret(), ok, body, ts), false, 'other secret');
  assert.equal(
    verify(secret, { signature, timestamp: String(ts + 1) }, body, ts),
    false,
    'other timestamp',
  );
  assert.equal(verify(secret, ok, body, ts + 301), false, 'too old (replay)');
  assert.equal(verify(secret, { signature: undefined, timestamp: String(ts) }, body, ts), false);
});

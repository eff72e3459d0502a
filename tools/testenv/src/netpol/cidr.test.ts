import assert from 'node:assert/strict';
import { it } from 'node:test';
import { containsIp, formatBlock, parseCidr, subtractCidrs, type Block } from './cidr.ts';

const b = (s: string): Block => {
  const r = parseCidr(s);
  assert.ok(r, s);
  return r;
};
const minus = (cidr: string, ...except: string[]) =>
  subtractCidrs(b(cidr), except.map(b)).map(formatBlock);

it('parses IPv4 CIDRs, clearing host bits, and refuses IPv6 and junk', () => {
  assert.equal(formatBlock(b('10.1.2.3/8')), '10.0.0.0/8');
  assert.equal(formatBlock(b('0.0.0.0/0')), '0.0.0.0/0');
  assert.equal(formatBlock(b('255.255.255.255/32')), '255.255.255.255/32');
  for (const bad of ['::/0', 'fd00::/8', '10.0.0.0', '10.0.0.256/8', '10.0.0.0/33', 'a.b.c.d/1'])
    assert.equal(parseCidr(bad), undefined, bad);
});

it('subtracts except blocks into the fewest CIDRs', () => {
  assert.deepEqual(minus('10.0.0.0/24', '10.0.0.0/25'), ['10.0.0.128/25']);
  assert.deepEqual(minus('10.0.0.0/24', '10.0.0.128/26'), ['10.0.0.0/25', '10.0.0.192/26']);
  assert.deepEqual(minus('10.0.0.0/30', '10.0.0.1/32'), ['10.0.0.0/32', '10.0.0.2/31']);
  // 0.0.0.0/0 minus one /32 is 32 blocks, the top half among them.
  const all = minus('0.0.0.0/0', '10.244.0.7/32');
  assert.equal(all.length, 32);
  assert.ok(all.includes('128.0.0.0/1'));
  assert.ok(!all.some((c) => containsIp(b(c), '10.244.0.7')));
  assert.ok(all.some((c) => containsIp(b(c), '10.244.0.6')));
});

it('ignores except blocks outside the cidr and removes everything for a covering one', () => {
  assert.deepEqual(minus('10.0.0.0/24', '192.168.0.0/16'), ['10.0.0.0/24']);
  assert.deepEqual(minus('10.0.0.0/24', '10.0.0.0/8'), []);
  assert.deepEqual(minus('10.0.0.0/24', '10.0.0.0/26', '10.0.0.64/26'), ['10.0.0.128/25']);
});

it('tells whether an address is inside a block', () => {
  assert.ok(containsIp(b('10.244.3.0/24'), '10.244.3.9'));
  assert.ok(!containsIp(b('10.244.3.0/24'), '10.244.4.9'));
  assert.ok(!containsIp(b('10.244.3.0/24'), 'fd00::1'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classifyAddress,
  parseCidr,
  parseIp,
  refusalReason,
  type TargetPolicy,
} from './address.ts';

const strict: TargetPolicy = { allowPrivate: false, allowed: [] };

test('IPv4 classes', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
  ];
  for (const [ip, cls] of cases) assert.equal(classifyAddress(ip), cls, ip);
});

test('IPv6 classes, including forms that carry an IPv4 address', () => {
  const cases: [string, string][] = [
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['fc12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a00:1', 'private'], // NAT64 of 10.0.0.1
    ['2002:7f00:1::', 'loopback'], // 6to4 of 127.0.0.1
    ['2001:db8::1', 'reserved'],
    ['::127.0.0.1', 'reserved'], // deprecated IPv4-compatible
  ];
  for (const [ip, cls] of cases) assert.equal(classifyAddress(ip), cls, ip);
});

test('parseIp reads compressed, full and dotted-quad IPv6 forms', () => {
  assert.deepEqual(
    parseIp('::ffff:1.2.3.4'),
    new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]),
  );
  assert.deepEqual(
    parseIp('1:2::a:ff00'),
    new Uint8Array([0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xa, 0xff, 0]),
  );
  assert.deepEqual(parseIp('::ffff:1.2.3.4'), parseIp('0:0:0:0:0:ffff:102:304'));
  assert.deepEqual(parseIp('fe80::'), parseIp('fe80:0:0:0:0:0:0:0'));
  assert.equal(parseIp('1.2.3'), null);
  assert.equal(parseIp('localhost'), null);
  assert.equal(parseIp('1:2:3:4:5:6:7:8:9'), null);
});

test('the policy refuses internal addresses unless allowed, and never multicast/unspecified', () => {
  assert.equal(refusalReason('8.8.8.8', strict), null);
  assert.match(refusalReason('127.0.0.1', strict) ?? '', /127\.0\.0\.1 is a loopback address/);
  assert.match(refusalReason('::ffff:10.0.0.1', strict) ?? '', /private/);
  const open: TargetPolicy = { allowPrivate: true, allowed: [] };
  assert.equal(refusalReason('127.0.0.1', open), null);
  assert.equal(refusalReason('fd00::1', open), null);
  assert.match(refusalReason('0.0.0.0', open) ?? '', /unspecified/);
  assert.match(refusalReason('ff02::1', open) ?? '', /multicast/);
  const cidr = (s: string) => {
    const c = parseCidr(s);
    assert.ok(c, s);
    return c;
  };
  const listed: TargetPolicy = {
    allowPrivate: false,
    allowed: [cidr('10.1.0.0/16'), cidr('fd00::/8')],
  };
  assert.equal(refusalReason('10.1.2.3', listed), null);
  assert.equal(refusalReason('::ffff:10.1.2.3', listed), null, 'mapped form of an allowed v4');
  assert.equal(refusalReason('fd12::1', listed), null);
  assert.match(refusalReason('10.2.0.1', listed) ?? '', /private/);
  assert.match(refusalReason('127.0.0.1', listed) ?? '', /loopback/);
});

test('parseCidr', () => {
  assert.deepEqual(parseCidr('127.0.0.1')?.prefix, 32);
  assert.deepEqual(parseCidr('::1')?.prefix, 128);
  assert.equal(parseCidr('10.0.0.0/33'), null);
  assert.equal(parseCidr('10.0.0.0/x'), null);
  assert.equal(parseCidr('nope/8'), null);
});

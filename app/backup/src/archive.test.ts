import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { test } from 'node:test';
import {
  Binary,
  BSON,
  BSONRegExp,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'mongodb';
import { ArchiveEncoder, decodeArchive, MAGIC, TAG, type ArchiveEvent } from './archive.ts';

const docs = [
  {
    _id: new ObjectId(),
    dec: Decimal128.fromString('12345.6789012345678901234567890123'),
    i: new Int32(-7),
    l: Long.fromString('-9223372036854775808'),
    d: new Double(2),
    date: new Date('1969-07-20T20:17:40Z'),
    bin: new Binary(Buffer.from([0, 1, 2, 255]), 0x80),
    re: new BSONRegExp('x.*y', 'imsux'),
    ts: new Timestamp({ t: 1, i: 2 }),
    min: new MinKey(),
    max: new MaxKey(),
    code: new Code('function () {}'),
    nested: { a: [null, true, 'ü', { b: new Date(0) }] },
  },
  { _id: 'second', v: 1 },
];

function build(): Buffer {
  const enc = new ArchiveEncoder();
  const parts = [
    enc.header({
      database: 'db',
      appVersion: '1.0.0',
      serverVersion: '7.0',
      createdAt: new Date(0),
    }),
    enc.collection({
      name: 'a',
      type: 'collection',
      options: {},
      indexes: [{ name: 'x', key: { x: 1 } }],
    }),
    ...docs.map((d) => enc.document(BSON.serialize(d))),
    enc.collectionEnd(),
    enc.collection({
      name: 'v',
      type: 'view',
      options: { viewOn: 'a', pipeline: [] },
      indexes: [],
    }),
    enc.collectionEnd(),
    enc.trailer(),
  ];
  return Buffer.concat(parts);
}

async function decodeAll(bytes: Buffer, chunk = 64 * 1024): Promise<ArchiveEvent[]> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: ArchiveEvent[] = [];
  for await (const ev of decodeArchive(chunks())) out.push(ev);
  return out;
}

test('documents round-trip byte for byte, whatever the chunk boundaries', async () => {
  const bytes = gunzipSync(gzipSync(build()));
  assert.ok(bytes.subarray(0, 8).equals(MAGIC));
  for (const size of [1, 3, 7, 4096, bytes.length]) {
    const events = await decodeAll(bytes, size);
    assert.deepEqual(
      events.map((e) => e.kind),
      [
        'header',
        'collection',
        'document',
        'document',
        'collectionEnd',
        'collection',
        'collectionEnd',
        'trailer',
      ],
    );
    const raws = events.flatMap((e) => (e.kind === 'document' ? [e.raw] : []));
    assert.deepEqual(
      raws,
      docs.map((d) => Buffer.from(BSON.serialize(d))),
    );
    const back = BSON.deserialize(raws[0] ?? Buffer.alloc(0), {
      promoteValues: false,
      bsonRegExp: true,
    });
    assert.ok(back.dec instanceof Decimal128);
    assert.equal(back.dec.toString(), '12345.6789012345678901234567890123');
    assert.ok(back.l instanceof Long && back.i instanceof Int32 && back.d instanceof Double);
    const h = events[0];
    assert.ok(h?.kind === 'header');
    assert.equal(h.header.database, 'db');
    assert.equal(h.header.formatVersion, 1);
    const c = events[1];
    assert.ok(c?.kind === 'collection');
    assert.deepEqual(c.info.indexes, [{ name: 'x', key: { x: 1 } }]);
    const t = events.at(-1);
    assert.ok(t?.kind === 'trailer');
    assert.deepEqual(t.trailer, { collections: 2, documents: 2 });
  }
});

test('truncated, foreign or inconsistent archives are refused', async () => {
  const good = build();
  await assert.rejects(decodeAll(good.subarray(0, good.length - 1)), /truncated archive/);
  await assert.rejects(decodeAll(good.subarray(0, 20)), /truncated archive/);
  await assert.rejects(decodeAll(Buffer.from('not an archive at all')), /bad magic/);
  await assert.rejects(decodeAll(Buffer.concat([good, Buffer.from([0])])), /after the trailer/);

  const enc = new ArchiveEncoder();
  const missingEnd = Buffer.concat([
    enc.header({ database: 'd', appVersion: '', serverVersion: '', createdAt: new Date() }),
    enc.collection({ name: 'a', type: 'collection', options: {}, indexes: [] }),
  ]);
  const trailerTooEarly = Buffer.concat([
    missingEnd,
    Buffer.from([TAG.trailer]),
    BSON.serialize({ collections: 1, documents: 0 }),
  ]);
  await assert.rejects(decodeAll(trailerTooEarly), /unexpected frame tag 0x5a inside a collection/);

  const wrongCount = Buffer.concat([
    missingEnd,
    Buffer.from([TAG.collectionEnd]),
    BSON.serialize({ name: 'a', count: 3 }),
  ]);
  await assert.rejects(decodeAll(wrongCount), /ends with count 3 but has 0 documents/);

  const badLength = Buffer.concat([MAGIC, Buffer.from([TAG.header, 0xff, 0xff, 0xff, 0x7f])]);
  await assert.rejects(decodeAll(badLength), /invalid frame length/);
});

test('the encoder enforces the grammar', () => {
  const enc = new ArchiveEncoder();
  assert.throws(() => enc.document(BSON.serialize({ a: 1 })), /cannot write here/);
  enc.header({ database: 'd', appVersion: '', serverVersion: '', createdAt: new Date() });
  assert.throws(() =>
    enc.header({ database: 'd', appVersion: '', serverVersion: '', createdAt: new Date() }),
  );
  assert.throws(() => enc.collectionEnd(), /cannot write here/);
  enc.collection({ name: 'a', type: 'collection', options: {}, indexes: [] });
  assert.throws(() => enc.document(Buffer.from([1, 2, 3])), /not a single BSON document/);
  assert.throws(() => enc.trailer(), /cannot write here/);
});

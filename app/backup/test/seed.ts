// Data of every BSON type FerretDB v1 stores (it refuses Decimal128 and MinKey/MaxKey; the
// archive unit tests cover those), several indexes, and attachments including a multipart one.
import { randomBytes } from 'node:crypto';
import { Binary, BSONRegExp, Double, Int32, Long, ObjectId, Timestamp, UUID } from 'mongodb';
import { putObject, withMongo, type Fixture } from './helpers.ts';

export async function seed(f: Fixture, opts: { tasks?: number; bigAttachment?: boolean } = {}) {
  await withMongo(async (c) => {
    const db = c.db(f.db);
    await db.collection('users').insertMany([
      {
        _id: new ObjectId(),
        email: 'ada@example.com',
        name: 'Ada',
        createdAt: new Date('2026-01-02T03:04:05.678Z'),
        age: new Int32(36),
        visits: Long.fromString('9007199254740993'),
        score: new Double(1),
        ratio: 0.125,
        active: true,
        deletedAt: null,
        tags: ['admin', 'ops', new Int32(7), { nested: [new Date(0)] }],
        avatar: new Binary(randomBytes(64), 0),
        uuid: new Binary(new UUID().toBinary().buffer, 4),
        pattern: new BSONRegExp('^ada', 'im'),
        seen: new Timestamp({ t: 1_700_000_000, i: 3 }),
        unicode: 'Zürich — 東京 — 🚀',
        empty: {},
      },
      { _id: new ObjectId(), email: 'bob@example.com', name: 'Bob', age: new Int32(41) },
    ]);
    await db.collection('users').createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
    await db.collection<{ _id: unknown; [k: string]: unknown }>('projects').insertMany([
      { _id: 'p-string-id', key: 'OPS', owner: new ObjectId(), members: [] },
      { _id: new Int32(42), key: 'DEV', archived: false },
    ]);
    await db
      .collection('projects')
      .createIndex({ key: 1, archived: -1 }, { name: 'key_archived', unique: true });
    const n = opts.tasks ?? 2500;
    const tasks = Array.from({ length: n }, (_, i) => ({
      _id: new ObjectId(),
      n: new Int32(i),
      title: `task ${i}`,
      due: new Date(Date.UTC(2026, 0, 1) + i * 3600_000),
      project: i % 2 === 0 ? 'p-string-id' : new Int32(42),
    }));
    if (tasks.length > 0) await db.collection('tasks').insertMany(tasks);
    await db.collection('tasks').createIndex({ project: 1, due: -1 }, { name: 'project_due' });
    await db.createCollection('empty');
    await db.collection('empty').createIndex({ x: 1 }, { name: 'x_1' });
  });
  await putObject(f.attachmentsBucket, 'projects/p1/readme.txt', 'hello attachments', 'text/plain');
  await putObject(f.attachmentsBucket, 'projects/p1/a file with spaces.bin', randomBytes(1000));
  await putObject(f.attachmentsBucket, 'logo.png', randomBytes(3000), 'image/png');
  if (opts.bigAttachment !== false) {
    // Larger than one 8 MiB part: exercises the multipart path both ways.
    await putObject(
      f.attachmentsBucket,
      'big/video.mp4',
      randomBytes(9 * 1024 * 1024 + 17),
      'video/mp4',
    );
  }
}

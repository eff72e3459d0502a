import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { runBackup } from '../src/backup.ts';
import { parseManifest } from '../src/manifest.ts';
import { runRestore } from '../src/restore.ts';
import {
  backupBucketKeys,
  bucketSnapshot,
  cleanFixture,
  configFor,
  dbSnapshot,
  dropDb,
  getObject,
  makeFixture,
  quietLog,
  s3,
  uniq,
  withMongo,
  type Fixture,
} from './helpers.ts';
import { seed } from './seed.ts';

let f: Fixture;
let cloneDb: string;
before(async () => {
  f = await makeFixture('br');
  cloneDb = uniq('clone').replace(/-/g, '_');
  await seed(f);
});
after(async () => {
  await cleanFixture(f);
  await dropDb(cloneDb);
});

test('backup, lose everything, restore: every collection, document, index and object is back', async () => {
  const dbBefore = await dbSnapshot(f.db);
  const objectsBefore = await bucketSnapshot(f.attachmentsBucket);
  assert.equal(Object.keys(dbBefore).length, 4);
  assert.equal(Object.keys(objectsBefore).length, 4);

  const log = quietLog();
  const r = await runBackup(configFor(f), log);
  assert.match(r.archiveKey, new RegExp(`^${f.instance}/\\d{8}T\\d{9}Z\\.archive\\.gz$`));
  assert.equal(r.documents, 2 + 2 + 2500);
  assert.equal(r.attachments, 4);

  const manifest = parseManifest(
    (await getObject(f.backupBucket, r.manifestKey)).toString('utf8'),
    r.manifestKey,
  );
  assert.equal(manifest.instance, f.instance);
  assert.equal(manifest.appVersion, '1.2.3');
  assert.equal(manifest.mongo.database, f.db);
  assert.ok(manifest.mongo.serverVersion.length > 0);
  assert.equal(manifest.archive.size, (await getObject(f.backupBucket, r.archiveKey)).length);
  assert.deepEqual(
    manifest.collections.map((c) => [c.name, c.count, c.indexes]),
    [
      ['empty', 0, 1],
      ['projects', 2, 1],
      ['tasks', 2500, 1],
      ['users', 2, 1],
    ],
  );
  assert.deepEqual(
    Object.fromEntries(manifest.attachments.objects.map((o) => [o.key, o.sha256])),
    Object.fromEntries(Object.entries(objectsBefore).map(([k, v]) => [k, v.sha256])),
  );
  assert.deepEqual(
    await backupBucketKeys(f.backupBucket),
    [
      r.archiveKey,
      ...Object.keys(objectsBefore).map((k) => `${f.instance}/${r.timestamp}/attachments/${k}`),
      r.manifestKey,
    ].sort(),
  );

  // Disaster: the database and every attachment are gone.
  await dropDb(f.db);
  for (const k of Object.keys(objectsBefore)) {
    await s3.send(new DeleteObjectCommand({ Bucket: f.attachmentsBucket, Key: k }));
  }
  assert.deepEqual(await dbSnapshot(f.db), {});
  assert.deepEqual(await bucketSnapshot(f.attachmentsBucket), {});

  const restored = await runRestore(configFor(f), log, r.archiveKey);
  assert.equal(restored.documents, r.documents);
  assert.equal(restored.collections, 4);
  assert.deepEqual(await dbSnapshot(f.db), dbBefore);
  assert.deepEqual(await bucketSnapshot(f.attachmentsBucket), objectsBefore);
});

test('restore drops what changed since the backup, and "latest" finds the newest backup', async () => {
  const dbBefore = await dbSnapshot(f.db);
  await withMongo(async (c) => {
    const db = c.db(f.db);
    await db.collection('users').deleteMany({ name: 'Bob' });
    await db.collection('tasks').insertOne({ title: 'written after the backup' });
    await db.collection('users').dropIndex('email_unique');
  });
  assert.notDeepEqual(await dbSnapshot(f.db), dbBefore);
  await runRestore(configFor(f), quietLog(), 'latest');
  assert.deepEqual(await dbSnapshot(f.db), dbBefore);
});

test('clone a tenant: restore another instance backup into a new database', async () => {
  const source = await dbSnapshot(f.db);
  const [manifestKey] = (await backupBucketKeys(f.backupBucket)).filter((k) =>
    k.endsWith('.manifest.json'),
  );
  assert.ok(manifestKey);
  const cfg = configFor(f, { INSTANCE: uniq('clone'), MONGODB_DB: cloneDb });
  const r = await runRestore(cfg, quietLog(), manifestKey);
  assert.equal(r.instance, f.instance);
  assert.equal(r.database, cloneDb);
  assert.deepEqual(await dbSnapshot(cloneDb), source);
});

test('backups kept in the attachments bucket under a prefix are not backed up as attachments', async () => {
  const g = await makeFixture('same');
  try {
    await seed(g, { tasks: 3, bigAttachment: false });
    const cfg = configFor(g, {
      BACKUP_S3_BUCKET: g.attachmentsBucket,
      BACKUP_S3_PREFIX: 'backups/',
    });
    const attBefore = await bucketSnapshot(g.attachmentsBucket);
    const first = await runBackup(cfg, quietLog());
    assert.match(first.archiveKey, new RegExp(`^backups/${g.instance}/`));
    const second = await runBackup(cfg, quietLog());
    // The second backup did not copy the first one.
    assert.equal(second.attachments, Object.keys(attBefore).length);
    await dropDb(g.db);
    for (const k of Object.keys(attBefore)) {
      await s3.send(new DeleteObjectCommand({ Bucket: g.attachmentsBucket, Key: k }));
    }
    await runRestore(cfg, quietLog(), second.archiveKey);
    const after = await bucketSnapshot(g.attachmentsBucket);
    for (const [k, v] of Object.entries(attBefore)) assert.deepEqual(after[k], v);
  } finally {
    await cleanFixture(g);
  }
});

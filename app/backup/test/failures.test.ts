// Every failure is loud (an error that names the cause) and changes nothing.
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { runBackup } from '../src/backup.ts';
import { runRestore, verifyBackup } from '../src/restore.ts';
import {
  backupBucketKeys,
  bucketSnapshot,
  cleanFixture,
  configFor,
  dbSnapshot,
  env,
  getObject,
  makeFixture,
  putObject,
  quietLog,
  withMongo,
  type Fixture,
} from './helpers.ts';
import { seed } from './seed.ts';

let f: Fixture;
let backupKey: string;
let otherArchive: Buffer;
before(async () => {
  f = await makeFixture('fail');
  await seed(f, { tasks: 50, bigAttachment: false });
  const first = await runBackup(configFor(f), quietLog());
  otherArchive = await getObject(f.backupBucket, first.archiveKey);
  await withMongo((c) => c.db(f.db).collection('tasks').insertOne({ title: 'one more' }));
  backupKey = (await runBackup(configFor(f), quietLog())).archiveKey;
});
after(() => cleanFixture(f));

test('backup with wrong destination credentials fails loudly and writes nothing', async () => {
  const before = await backupBucketKeys(f.backupBucket);
  const cfg = configFor(f, {
    BACKUP_S3_ACCESS_KEY: 'nobody',
    BACKUP_S3_SECRET_KEY: 'wrong-secret-1',
  });
  await assert.rejects(runBackup(cfg, quietLog()), (e: Error) => {
    assert.equal(e.name, 'StoreError');
    assert.match(e.message, /backup destination .* is not usable: .*(403|credentials)/);
    assert.doesNotMatch(e.message, /wrong-secret-1/);
    return true;
  });
  assert.deepEqual(await backupBucketKeys(f.backupBucket), before);
});

test('a destination that starts answering a few seconds late is waited for', async () => {
  // As a Job's pod sees it when the network lets it out only after a moment: the endpoint
  // refuses connections for 2 s, then a TCP relay to the real S3 server opens on that port.
  const target = new URL(env.s3.endpoint);
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const relay = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const opening = setTimeout(() => relay.listen(port, '127.0.0.1'), 2000);
  try {
    const result = await runBackup(
      configFor(f, { BACKUP_S3_ENDPOINT: `http://127.0.0.1:${port}` }),
      quietLog(),
    );
    assert.ok((await backupBucketKeys(f.backupBucket)).includes(result.archiveKey));
  } finally {
    clearTimeout(opening);
    await new Promise((r) => relay.close(r));
  }
});

test('backup to an unreachable endpoint fails loudly and writes nothing', async () => {
  const before = await backupBucketKeys(f.backupBucket);
  const cfg = configFor(f, { BACKUP_S3_ENDPOINT: 'http://127.0.0.1:1' });
  const t0 = Date.now();
  await assert.rejects(
    runBackup(cfg, quietLog()),
    /backup destination .*127\.0\.0\.1:1.* is not usable/,
  );
  assert.ok(Date.now() - t0 < 60_000);
  assert.deepEqual(await backupBucketKeys(f.backupBucket), before);
});

test('backup to a missing bucket fails loudly', async () => {
  const cfg = configFor(f, { BACKUP_S3_BUCKET: `${f.backupBucket}-missing` });
  await assert.rejects(runBackup(cfg, quietLog()), /not usable: .*(404|NoSuchBucket|NotFound)/);
});

test('backup with wrong attachments credentials or unreachable MongoDB writes nothing', async () => {
  const before = await backupBucketKeys(f.backupBucket);
  await assert.rejects(
    runBackup(
      configFor(f, {
        S3_SECRET_KEY: 'bad-attachments-key',
        BACKUP_S3_ACCESS_KEY: env.s3.accessKey,
        BACKUP_S3_SECRET_KEY: env.s3.secretKey,
      }),
      quietLog(),
    ),
    /attachments bucket .* is not usable/,
  );
  await assert.rejects(
    runBackup(
      configFor(f, { MONGODB_URI: 'mongodb://127.0.0.1:1/', TIMEOUT_MS: '500' }),
      quietLog(),
    ),
    /MongoDB is not usable/,
  );
  assert.deepEqual(await backupBucketKeys(f.backupBucket), before);
});

test('restore with wrong credentials or an unreachable store changes nothing', async () => {
  await withMongo((c) => c.db(f.db).collection('tasks').insertOne({ title: 'after backup' }));
  const dbBefore = await dbSnapshot(f.db);
  await assert.rejects(
    runRestore(configFor(f, { BACKUP_S3_SECRET_KEY: 'nope-nope' }), quietLog(), backupKey),
    /backup store .* is not usable/,
  );
  await assert.rejects(
    runRestore(configFor(f, { BACKUP_S3_ENDPOINT: 'http://127.0.0.1:1' }), quietLog(), 'latest'),
    /backup store .* is not usable/,
  );
  await assert.rejects(
    runRestore(configFor(f), quietLog(), `${f.instance}/20200101T000000000Z`),
    /no backup .*not found/,
  );
  assert.deepEqual(await dbSnapshot(f.db), dbBefore);
});

test('a corrupted archive is refused before anything is dropped', async () => {
  const dbBefore = await dbSnapshot(f.db);
  const attBefore = await bucketSnapshot(f.attachmentsBucket);
  const good = await getObject(f.backupBucket, backupKey);

  // One flipped byte in the middle of the gzip stream.
  const flipped = Buffer.from(good);
  const at = Math.floor(flipped.length / 2);
  flipped[at] = (flipped[at] ?? 0) ^ 0xff;
  await putObject(f.backupBucket, backupKey, flipped);
  await assert.rejects(runRestore(configFor(f), quietLog(), backupKey), (e: Error) => {
    assert.equal(e.name, 'IntegrityError');
    return true;
  });
  assert.deepEqual(await dbSnapshot(f.db), dbBefore);

  // A well-formed archive that is not the one the manifest describes (checksum mismatch).
  await putObject(f.backupBucket, backupKey, otherArchive);
  await assert.rejects(runRestore(configFor(f), quietLog(), backupKey), (e: Error) => {
    assert.equal(e.name, 'IntegrityError');
    assert.match(e.message, /does not match its manifest: .*sha256/);
    return true;
  });
  await assert.rejects(verifyBackup(configFor(f), quietLog(), backupKey), /does not match/);

  // A truncated archive.
  await putObject(f.backupBucket, backupKey, good.subarray(0, good.length - 40));
  await assert.rejects(runRestore(configFor(f), quietLog(), backupKey), { name: 'IntegrityError' });

  assert.deepEqual(await dbSnapshot(f.db), dbBefore);
  assert.deepEqual(await bucketSnapshot(f.attachmentsBucket), attBefore);

  // Put it back: the same backup restores again.
  await putObject(f.backupBucket, backupKey, good);
  const v = await verifyBackup(configFor(f), quietLog(), backupKey);
  assert.equal(v.size, good.length);
});

test('a tampered attachment is refused before anything is dropped', async () => {
  const dbBefore = await dbSnapshot(f.db);
  const ts = /\/(\d{8}T\d{9}Z)\./.exec(backupKey)?.[1];
  const key = `${f.instance}/${ts}/attachments/logo.png`;
  const good = await getObject(f.backupBucket, key);
  await putObject(f.backupBucket, key, Buffer.concat([good, Buffer.from('x')]));
  await assert.rejects(
    runRestore(configFor(f), quietLog(), backupKey),
    /attachment .*logo\.png does not match/,
  );
  assert.deepEqual(await dbSnapshot(f.db), dbBefore);
  await putObject(f.backupBucket, key, good, 'image/png');
});

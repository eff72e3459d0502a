import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runBackup } from '../src/backup.ts';
import { keys } from '../src/manifest.ts';
import { listBackups, prune } from '../src/retention.ts';
import { openStore } from '../src/s3.ts';
import {
  backupBucketKeys,
  cleanFixture,
  configFor,
  makeFixture,
  putObject,
  quietLog,
  type Fixture,
} from './helpers.ts';
import { seed } from './seed.ts';

let f: Fixture;
before(async () => {
  f = await makeFixture('ret');
  await seed(f, { tasks: 5, bigAttachment: false });
});
after(() => cleanFixture(f));

const stamps = [
  '20260101T000000000Z',
  '20260102T000000000Z',
  '20260103T000000000Z',
  '20260104T000000000Z',
  '20260105T000000000Z',
];

test('prune keeps exactly keepLast complete backups and removes old leftovers', async () => {
  const cfg = configFor(f);
  for (const ts of stamps) await runBackup(cfg, quietLog(), { timestamp: ts });
  // Leftovers of a failed backup (no manifest) before and after the kept range.
  await putObject(f.backupBucket, keys.archive(f.instance, '20251231T000000000Z'), 'partial');
  await putObject(f.backupBucket, keys.archive(f.instance, '20270101T000000000Z'), 'running');
  // Another instance's backups in the same bucket are not touched.
  await putObject(f.backupBucket, keys.manifest(`${f.instance}x`, '20200101T000000000Z'), '{}');

  const store = openStore(cfg.destination, cfg.timeoutMs);
  assert.equal((await listBackups(store, f.instance)).length, 5);

  const r = await prune(store, f.instance, 3, quietLog());
  assert.deepEqual(r.kept, stamps.slice(2));
  assert.deepEqual(r.deleted, ['20251231T000000000Z', ...stamps.slice(0, 2)]);
  assert.deepEqual(
    (await listBackups(store, f.instance)).map((b) => b.timestamp),
    stamps.slice(2),
  );
  const remaining = await backupBucketKeys(f.backupBucket);
  assert.ok(remaining.includes(keys.archive(f.instance, '20270101T000000000Z')));
  assert.ok(remaining.includes(keys.manifest(`${f.instance}x`, '20200101T000000000Z')));
  assert.ok(!remaining.some((k) => k.includes('20260101T') || k.includes('20251231T')));
  // Every kept backup still has all its objects (archive, manifest, 3 attachments).
  for (const ts of stamps.slice(2)) {
    assert.equal(remaining.filter((k) => k.startsWith(`${f.instance}/${ts}`)).length, 5);
  }

  // Idempotent; and keepLast 1 keeps exactly the newest.
  assert.deepEqual((await prune(store, f.instance, 3, quietLog())).deleted, []);
  await prune(store, f.instance, 1, quietLog());
  assert.deepEqual(
    (await listBackups(store, f.instance)).map((b) => b.timestamp),
    [stamps[4]],
  );
});

test('refuses to overwrite an existing backup', async () => {
  await assert.rejects(
    runBackup(configFor(f), quietLog(), { timestamp: stamps[4] }),
    /already exists; refusing to overwrite/,
  );
  assert.equal(
    (await listBackups(openStore(configFor(f).destination, 3000), f.instance)).length,
    1,
  );
});

test('a retried backup overwrites the leftovers of an interrupted run with the same timestamp', async () => {
  const ts = '20260201T000000000Z';
  await putObject(f.backupBucket, keys.archive(f.instance, ts), 'half an archive');
  const r = await runBackup(configFor(f), quietLog(), { timestamp: ts });
  assert.ok(r.size > 'half an archive'.length);
  const store = openStore(configFor(f).destination, 3000);
  assert.ok((await listBackups(store, f.instance)).some((b) => b.timestamp === ts));
});

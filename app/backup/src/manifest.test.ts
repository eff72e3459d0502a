import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatTimestamp,
  groupByTimestamp,
  keys,
  parseManifest,
  parseTimestamp,
  resolveBackupRef,
  type TManifest,
} from './manifest.ts';

const sha = 'a'.repeat(64);
const manifest: TManifest = {
  format: 'pms-backup-manifest',
  formatVersion: 1,
  instance: 'acme',
  timestamp: '20261125T152240123Z',
  startedAt: '2026-11-25T15:22:40.123Z',
  completedAt: '2026-11-25T15:22:41.000Z',
  appVersion: '1.2.3',
  backupVersion: '0.1.0',
  mongo: { database: 'pms', serverVersion: '7.0.42' },
  archive: {
    key: 'acme/20261125T152240123Z.archive.gz',
    size: 10,
    sha256: sha,
    archiveFormatVersion: 1,
  },
  collections: [{ name: 'users', type: 'collection', count: 2, indexes: 1 }],
  attachments: {
    sourceBucket: 'att',
    prefix: 'acme/20261125T152240123Z/attachments/',
    count: 1,
    totalSize: 5,
    objects: [{ key: 'a.txt', size: 5, sha256: sha }],
  },
};

test('timestamps are UTC, millisecond-precise, sortable and reversible', () => {
  const d = new Date('2026-11-25T15:22:40.123Z');
  assert.equal(formatTimestamp(d), '20261125T152240123Z');
  assert.equal(parseTimestamp('20261125T152240123Z').getTime(), d.getTime());
  assert.ok(
    formatTimestamp(new Date('2026-01-01T00:00:00Z')) <
      formatTimestamp(new Date('2026-10-01T00:00:00Z')),
  );
  assert.throws(() => parseTimestamp('2026-11-25'), /not a backup timestamp/);
});

test('object keys and references', () => {
  assert.equal(keys.archive('acme', '20261125T152240123Z'), 'acme/20261125T152240123Z.archive.gz');
  assert.equal(
    keys.manifest('acme', '20261125T152240123Z'),
    'acme/20261125T152240123Z.manifest.json',
  );
  assert.equal(resolveBackupRef('latest', 'acme'), 'latest');
  assert.deepEqual(resolveBackupRef('20261125T152240123Z', 'backups/acme'), {
    base: 'backups/acme',
    timestamp: '20261125T152240123Z',
  });
  for (const ref of [
    'other/20261125T152240123Z.archive.gz',
    'other/20261125T152240123Z.manifest.json',
    'other/20261125T152240123Z',
  ]) {
    assert.deepEqual(resolveBackupRef(ref, 'acme'), {
      base: 'other',
      timestamp: '20261125T152240123Z',
    });
  }
  assert.deepEqual(resolveBackupRef('backups/x.y/other/20261125T152240123Z.archive.gz', 'acme'), {
    base: 'backups/x.y/other',
    timestamp: '20261125T152240123Z',
  });
  assert.throws(
    () => resolveBackupRef('../other/20261125T152240123Z', 'acme'),
    /cannot understand/,
  );
  assert.throws(() => resolveBackupRef('../etc/passwd', 'acme'), /cannot understand/);
  assert.throws(() => resolveBackupRef('acme/yesterday.archive.gz', 'acme'), /cannot understand/);
});

test('grouping keys by backup ignores other instances and foreign objects', () => {
  const p = groupByTimestamp('backups/a.b', [
    'backups/a.b/20261125T152240123Z.archive.gz',
    'backups/aXb/20261125T152240123Z.archive.gz',
  ]);
  assert.deepEqual([...p.values()], [['backups/a.b/20261125T152240123Z.archive.gz']]);
  const g = groupByTimestamp('acme', [
    'acme/20261125T152240123Z.archive.gz',
    'acme/20261125T152240123Z.manifest.json',
    'acme/20261125T152240123Z/attachments/x/y.png',
    'acme/20261126T000000000Z.archive.gz',
    'acme-2/20261125T152240123Z.archive.gz',
    'acme/notes.txt',
  ]);
  assert.deepEqual([...g.keys()], ['20261125T152240123Z', '20261126T000000000Z']);
  assert.equal(g.get('20261125T152240123Z')?.length, 3);
});

test('manifests are validated', () => {
  assert.deepEqual(parseManifest(JSON.stringify(manifest), 'k'), manifest);
  assert.throws(() => parseManifest('{', 'k'), /not JSON/);
  assert.throws(
    () =>
      parseManifest(
        JSON.stringify({ ...manifest, archive: { ...manifest.archive, sha256: 'xyz' } }),
        'k',
      ),
    /archive\.sha256/,
  );
  assert.throws(
    () =>
      parseManifest(
        JSON.stringify({ ...manifest, attachments: { ...manifest.attachments, totalSize: 6 } }),
        'k',
      ),
    /totals do not match/,
  );
  assert.throws(
    () => parseManifest(JSON.stringify({ ...manifest, formatVersion: 2 }), 'k'),
    /formatVersion/,
  );
});

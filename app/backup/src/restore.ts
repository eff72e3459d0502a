// `pms-backup restore <ref>`: verify everything first, then drop-and-restore each collection
// (like `mongorestore --drop`) with its indexes, then the attachments.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BSON, type Db, type Document } from 'mongodb';
import { decodeArchive, type ArchiveEvent, type CollectionInfo } from './archive.ts';
import type { TConfig } from './config.ts';
import type { Log } from './log.ts';
import { resolveBackupRef, type TManifest } from './manifest.ts';
import { connectMongo } from './mongo.ts';
import { listBackups, readManifest } from './retention.ts';
import { checkStore, getStream, openStore, uploadStream, type Store } from './s3.ts';

export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

export interface RestoreResult {
  instance: string;
  timestamp: string;
  database: string;
  collections: number;
  documents: number;
  attachments: number;
}

/** Streams the archive, hashing the stored bytes and decoding the uncompressed ones. */
async function* readArchive(
  store: Store,
  manifest: TManifest,
  ifMatch: string | undefined,
  onDone: (r: { sha256: string; size: number; etag: string | undefined }) => void,
): AsyncGenerator<ArchiveEvent> {
  const s = await getStream(store, manifest.archive.key, ifMatch);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const gunzip = createGunzip();
  const flowing = pipeline(s.body, tap, gunzip);
  flowing.catch(() => undefined); // surfaced through the gunzip iterator below
  try {
    yield* decodeArchive(gunzip);
    await flowing;
  } catch (e) {
    throw new IntegrityError(
      `archive ${manifest.archive.key} is damaged (it cannot match its manifest checksum): ` +
        (e as Error).message,
    );
  } finally {
    s.body.destroy(); // also when the consumer stops early
  }
  onDone({ sha256: hash.digest('hex'), size, etag: s.etag });
}

function checkDigest(manifest: TManifest, got: { sha256: string; size: number }): void {
  if (got.size !== manifest.archive.size || got.sha256 !== manifest.archive.sha256) {
    throw new IntegrityError(
      `archive ${manifest.archive.key} does not match its manifest: size ${got.size} vs ` +
        `${manifest.archive.size}, sha256 ${got.sha256} vs ${manifest.archive.sha256}`,
    );
  }
}

/** Full read of the archive and every attachment; returns the archive's ETag. */
async function verify(store: Store, manifest: TManifest, log: Log): Promise<string | undefined> {
  let result: { sha256: string; size: number; etag: string | undefined } | undefined;
  const counts = new Map<string, number>();
  for await (const ev of readArchive(store, manifest, undefined, (r) => (result = r))) {
    if (ev.kind === 'collectionEnd') counts.set(ev.name, ev.count);
  }
  if (!result) throw new IntegrityError('archive was not read to the end');
  checkDigest(manifest, result);
  for (const c of manifest.collections) {
    if (counts.get(c.name) !== c.count) {
      throw new IntegrityError(
        `collection ${c.name}: manifest says ${c.count} documents, archive has ${counts.get(c.name) ?? 'none'}`,
      );
    }
  }
  if (counts.size !== manifest.collections.length) {
    throw new IntegrityError('the archive and the manifest list different collections');
  }
  for (const o of manifest.attachments.objects) {
    const key = manifest.attachments.prefix + o.key;
    const s = await getStream(store, key).catch((e: unknown) => {
      throw new IntegrityError(
        `attachment ${key} missing from the backup: ${(e as Error).message}`,
      );
    });
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of s.body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    const sha = hash.digest('hex');
    if (size !== o.size || sha !== o.sha256) {
      throw new IntegrityError(`attachment ${key} does not match its manifest checksum`);
    }
  }
  log.info('backup verified', {
    archive: manifest.archive.key,
    sha256: manifest.archive.sha256,
    attachments: manifest.attachments.count,
  });
  return result.etag;
}

const BATCH_DOCS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;

async function restoreDatabase(
  db: Db,
  store: Store,
  manifest: TManifest,
  etag: string | undefined,
  log: Log,
): Promise<{ collections: number; documents: number }> {
  let info: CollectionInfo | undefined;
  let batch: Document[] = [];
  let batchBytes = 0;
  let collections = 0;
  let documents = 0;
  const flush = async () => {
    if (!info || batch.length === 0) return;
    await db.collection(info.name).insertMany(batch, { ordered: true });
    batch = [];
    batchBytes = 0;
  };
  let digest: { sha256: string; size: number } | undefined;
  // IfMatch: the object must be the one verified a moment ago.
  for await (const ev of readArchive(store, manifest, etag, (r) => (digest = r))) {
    if (ev.kind === 'collection') {
      info = ev.info;
      const existing = await db.listCollections({ name: info.name }, { nameOnly: true }).toArray();
      if (existing.length > 0) await db.collection(info.name).drop();
      await db.createCollection(info.name, info.options);
    } else if (ev.kind === 'document') {
      // promoteValues: false keeps Int32/Int64/Double as they were; bsonRegExp keeps flags.
      batch.push(BSON.deserialize(ev.raw, { promoteValues: false, bsonRegExp: true }));
      batchBytes += ev.raw.length;
      if (batch.length >= BATCH_DOCS || batchBytes >= BATCH_BYTES) await flush();
    } else if (ev.kind === 'collectionEnd' && info) {
      await flush();
      if (info.indexes.length > 0) {
        await db
          .collection(info.name)
          .createIndexes(info.indexes.map((i) => ({ ...i, key: i.key as Record<string, 1 | -1> })));
      }
      if (info.type === 'collection') {
        const n = await db.collection(info.name).countDocuments({});
        if (n !== ev.count) {
          throw new Error(`collection ${info.name}: restored ${n} documents, expected ${ev.count}`);
        }
      }
      collections += 1;
      documents += ev.count;
      log.info('collection restored', {
        collection: info.name,
        documents: ev.count,
        indexes: info.indexes.length,
      });
      info = undefined;
    }
  }
  if (!digest) throw new IntegrityError('archive was not read to the end');
  checkDigest(manifest, digest);
  return { collections, documents };
}

async function locate(cfg: TConfig, store: Store, ref: string): Promise<TManifest> {
  const target = resolveBackupRef(ref, cfg.base);
  if (target !== 'latest') return readManifest(store, target.base, target.timestamp);
  const newest = (await listBackups(store, cfg.base)).at(-1);
  if (!newest) throw new Error(`no backups of ${cfg.base} in ${store.where}`);
  return readManifest(store, cfg.base, newest.timestamp);
}

/** `pms-backup verify`: reads the whole backup and checks it against its manifest. */
export async function verifyBackup(
  cfg: TConfig,
  log: Log,
  ref: string,
): Promise<{ instance: string; timestamp: string; sha256: string; size: number }> {
  const store = openStore(cfg.destination, cfg.timeoutMs);
  await checkStore(store, 'backup store');
  const manifest = await locate(cfg, store, ref);
  await verify(store, manifest, log);
  return {
    instance: manifest.instance,
    timestamp: manifest.timestamp,
    sha256: manifest.archive.sha256,
    size: manifest.archive.size,
  };
}

export async function runRestore(cfg: TConfig, log: Log, ref: string): Promise<RestoreResult> {
  const store = openStore(cfg.destination, cfg.timeoutMs);
  await checkStore(store, 'backup store');
  const manifest = await locate(cfg, store, ref);
  const { instance, timestamp } = manifest;

  const att = cfg.attachments ? openStore(cfg.attachments, cfg.timeoutMs) : undefined;
  if (manifest.attachments.count > 0 && !att) {
    throw new Error(
      `backup ${instance}/${timestamp} has ${manifest.attachments.count} attachments but no ` +
        'attachments bucket is configured (S3_BUCKET)',
    );
  }
  if (att) await checkStore(att, 'attachments bucket');
  const clash = manifest.attachments.objects.find(
    (o) => cfg.sameBucket && o.key.startsWith(cfg.backupPrefix),
  );
  if (clash) {
    throw new Error(`attachment ${clash.key} would overwrite backups under ${cfg.backupPrefix}`);
  }
  const mongo = await connectMongo(cfg);
  try {
    log.info('restore started', {
      backup: `${instance}/${timestamp}`,
      database: mongo.db.databaseName,
      fromDatabase: manifest.mongo.database,
    });
    const etag = await verify(store, manifest, log);
    // Nothing has been changed up to here.
    const db = await restoreDatabase(mongo.db, store, manifest, etag, log);
    if (att) {
      for (const o of manifest.attachments.objects) {
        const s = await getStream(store, manifest.attachments.prefix + o.key);
        const up = await uploadStream(
          att,
          o.key,
          s.body,
          o.contentType ?? 'application/octet-stream',
        );
        if (up.sha256 !== o.sha256) {
          throw new IntegrityError(`attachment ${o.key} changed while restoring it`);
        }
      }
      log.info('attachments restored', { count: manifest.attachments.count, to: att.where });
    }
    return {
      instance,
      timestamp,
      database: mongo.db.databaseName,
      collections: db.collections,
      documents: db.documents,
      attachments: manifest.attachments.count,
    };
  } finally {
    await mongo.client.close();
  }
}

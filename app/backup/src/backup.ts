// `pms-backup backup`: database archive + attachments copy + manifest (written last).
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Db } from 'mongodb';
import { ArchiveEncoder, FORMAT_VERSION, type CollectionInfo } from './archive.ts';
import type { TConfig } from './config.ts';
import type { Log } from './log.ts';
import {
  formatTimestamp,
  keys,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type TManifest,
} from './manifest.ts';
import { connectMongo, describeCollections } from './mongo.ts';
import {
  checkStore,
  deleteKeys,
  exists,
  getStream,
  listAll,
  openStore,
  putJson,
  uploadStream,
} from './s3.ts';

export const BACKUP_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export interface BackupResult {
  instance: string;
  timestamp: string;
  archiveKey: string;
  manifestKey: string;
  size: number;
  sha256: string;
  documents: number;
  attachments: number;
}

async function* archiveFrames(
  db: Db,
  collections: CollectionInfo[],
  header: { database: string; appVersion: string; serverVersion: string; createdAt: Date },
  counts: Map<string, number>,
): AsyncGenerator<Buffer> {
  const enc = new ArchiveEncoder();
  yield enc.header(header);
  for (const info of collections) {
    yield enc.collection(info);
    let n = 0;
    if (info.type === 'collection') {
      // raw: the server's BSON bytes, untouched, so every type round-trips exactly.
      const cursor = db.collection(info.name).find({}, { raw: true, batchSize: 1000 });
      for await (const doc of cursor) {
        n += 1;
        yield enc.document(doc as unknown as Uint8Array);
      }
    }
    counts.set(info.name, n);
    yield enc.collectionEnd();
  }
  yield enc.trailer();
}

export async function runBackup(
  cfg: TConfig,
  log: Log,
  opts: { now?: Date; timestamp?: string } = {},
): Promise<BackupResult> {
  const startedAt = opts.now ?? new Date();
  const ts = opts.timestamp ?? formatTimestamp(startedAt);
  const dest = openStore(cfg.destination, cfg.timeoutMs);
  const src = cfg.attachments ? openStore(cfg.attachments, cfg.timeoutMs) : undefined;

  // Preflight: every dependency must answer before the first write.
  await checkStore(dest, 'backup destination');
  if (src) await checkStore(src, 'attachments bucket');
  const mongo = await connectMongo(cfg);
  const archiveKey = keys.archive(cfg.base, ts);
  const manifestKey = keys.manifest(cfg.base, ts);
  const attPrefix = keys.attachmentsPrefix(cfg.base, ts);
  const written: string[] = [];

  try {
    // Leftovers of an interrupted run with the same timestamp (a retried Job) are overwritten;
    // a complete backup never is.
    if (await exists(dest, manifestKey)) {
      throw new Error(`a backup ${cfg.base}/${ts} already exists; refusing to overwrite it`);
    }
    const collections = await describeCollections(mongo.db);
    log.info('backup started', {
      instance: cfg.instance,
      timestamp: ts,
      database: mongo.db.databaseName,
      collections: collections.length,
      destination: dest.where,
    });

    const counts = new Map<string, number>();
    const gzip = createGzip({ level: 6 });
    const feeding = pipeline(
      Readable.from(
        archiveFrames(
          mongo.db,
          collections,
          {
            database: mongo.db.databaseName,
            appVersion: cfg.appVersion,
            serverVersion: mongo.serverVersion,
            createdAt: startedAt,
          },
          counts,
        ),
      ),
      gzip,
    );
    written.push(archiveKey);
    const uploading = uploadStream(dest, archiveKey, gzip, 'application/gzip').catch(
      (e: unknown) => {
        gzip.destroy(e as Error); // stop the producer: nobody reads it any more
        throw e;
      },
    );
    const [archive] = await Promise.all([uploading, feeding]);
    const documents = [...counts.values()].reduce((a, b) => a + b, 0);
    log.info('database archived', { key: archiveKey, size: archive.size, documents });

    const objects: TManifest['attachments']['objects'] = [];
    if (src) {
      const all = await listAll(src, '');
      // Backups kept in the attachments bucket itself are not attachments.
      const attachments = cfg.sameBucket
        ? all.filter((o) => !o.key.startsWith(cfg.backupPrefix))
        : all;
      for (const o of attachments) {
        const s = await getStream(src, o.key);
        const target = attPrefix + o.key;
        written.push(target);
        const up = await uploadStream(
          dest,
          target,
          s.body,
          s.contentType ?? 'application/octet-stream',
        );
        objects.push({
          key: o.key,
          size: up.size,
          sha256: up.sha256,
          ...(s.contentType ? { contentType: s.contentType } : {}),
        });
      }
      log.info('attachments copied', { count: objects.length, from: src.where });
    }

    const manifest: TManifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      instance: cfg.instance,
      timestamp: ts,
      startedAt: startedAt.toISOString(),
      completedAt: new Date().toISOString(),
      appVersion: cfg.appVersion,
      backupVersion: BACKUP_VERSION,
      mongo: {
        database: mongo.db.databaseName,
        serverVersion: mongo.serverVersion,
        ...(mongo.ferretdbVersion ? { ferretdbVersion: mongo.ferretdbVersion } : {}),
      },
      archive: {
        key: archiveKey,
        size: archive.size,
        sha256: archive.sha256,
        archiveFormatVersion: FORMAT_VERSION,
      },
      collections: collections.map((c) => ({
        name: c.name,
        type: c.type,
        count: counts.get(c.name) ?? 0,
        indexes: c.indexes.length,
      })),
      attachments: {
        sourceBucket: src?.bucket ?? null,
        prefix: attPrefix,
        count: objects.length,
        totalSize: objects.reduce((a, o) => a + o.size, 0),
        objects,
      },
    };
    await putJson(dest, manifestKey, manifest);
    log.info('backup complete', { manifest: manifestKey, size: archive.size });
    return {
      instance: cfg.instance,
      timestamp: ts,
      archiveKey,
      manifestKey,
      size: archive.size,
      sha256: archive.sha256,
      documents,
      attachments: objects.length,
    };
  } catch (e) {
    // No manifest was written, so this is not a backup; remove what was uploaded.
    await deleteKeys(dest, written).catch((ce: unknown) =>
      log.warn('could not remove a partial backup', { error: (ce as Error).message }),
    );
    throw e;
  } finally {
    await mongo.client.close();
  }
}

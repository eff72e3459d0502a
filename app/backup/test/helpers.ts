// Real MinIO and FerretDB from @pms/testenv; unique names per test, removed afterwards.
import { createHash, randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { MongoClient } from 'mongodb';
import { testEnv } from '@pms/testenv';
import { loadConfig, type TConfig } from '../src/config.ts';
import { createLog, type Log } from '../src/log.ts';
import { deleteKeys, listAll, openStore } from '../src/s3.ts';

export const env = testEnv('mongodb', 's3');

export function uniq(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const s3 = new S3Client({
  endpoint: env.s3.endpoint,
  region: env.s3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: env.s3.accessKey, secretAccessKey: env.s3.secretKey },
});

export async function createBucket(name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
}

export async function removeBucket(name: string): Promise<void> {
  const store = openStore(adminTarget(name), 10000);
  const objs = await listAll(store, '').catch(() => []);
  await deleteKeys(
    store,
    objs.map((o) => o.key),
  ).catch(() => undefined);
  await s3.send(new DeleteBucketCommand({ Bucket: name })).catch(() => undefined);
}

function adminTarget(bucket: string) {
  return {
    endpoint: env.s3.endpoint,
    region: env.s3.region,
    accessKey: env.s3.accessKey,
    secretKey: env.s3.secretKey,
    bucket,
    forcePathStyle: true,
  };
}

export async function putObject(
  bucket: string,
  key: string,
  body: Buffer | string,
  contentType?: string,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
  );
}

export async function getObject(bucket: string, key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(
    await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

/** Every object of a bucket: key → sha256 and content type. */
export async function bucketSnapshot(
  bucket: string,
): Promise<Record<string, { sha256: string; size: number; contentType: string | undefined }>> {
  const out: Record<string, { sha256: string; size: number; contentType: string | undefined }> = {};
  for (const o of await listAll(openStore(adminTarget(bucket), 10000), '')) {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
    const body = Buffer.from(
      await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    out[o.key] = {
      sha256: createHash('sha256').update(body).digest('hex'),
      size: body.length,
      contentType: r.ContentType,
    };
  }
  return out;
}

export async function withMongo<T>(fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const c = new MongoClient(env.mongodbUri);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/**
 * A database as comparable data: per collection its options, its indexes and the exact BSON
 * bytes of every document (hex, sorted, so document order does not matter).
 */
export async function dbSnapshot(dbName: string): Promise<Record<string, unknown>> {
  return withMongo(async (c) => {
    const db = c.db(dbName);
    const out: Record<string, unknown> = {};
    const cols = (await db.listCollections().toArray()).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const col of cols) {
      const docs = await db.collection(col.name).find({}, { raw: true }).toArray();
      const indexes = (await db.collection(col.name).listIndexes().toArray()).sort((a, b) =>
        String(a.name).localeCompare(String(b.name)),
      );
      out[col.name] = {
        type: (col as { type?: string }).type,
        options: (col as { options?: unknown }).options,
        indexes,
        docs: docs.map((d) => Buffer.from(d as unknown as Uint8Array).toString('hex')).sort(),
      };
    }
    return out;
  });
}

export async function dropDb(dbName: string): Promise<void> {
  await withMongo((c) => c.db(dbName).dropDatabase());
}

export interface Fixture {
  instance: string;
  db: string;
  attachmentsBucket: string;
  backupBucket: string;
}

export async function makeFixture(prefix: string): Promise<Fixture> {
  const f = {
    instance: uniq(prefix),
    db: uniq(prefix).replace(/-/g, '_'),
    attachmentsBucket: uniq(`${prefix}-att`),
    backupBucket: uniq(`${prefix}-bak`),
  };
  await createBucket(f.attachmentsBucket);
  await createBucket(f.backupBucket);
  return f;
}

export async function cleanFixture(f: Fixture): Promise<void> {
  await dropDb(f.db);
  await removeBucket(f.attachmentsBucket);
  await removeBucket(f.backupBucket);
}

/** The environment variables a Job would get, for `f`. */
export function envFor(f: Fixture, extra: Record<string, string> = {}): Record<string, string> {
  return {
    INSTANCE: f.instance,
    MONGODB_URI: env.mongodbUri,
    MONGODB_DB: f.db,
    APP_VERSION: '1.2.3',
    S3_ENDPOINT: env.s3.endpoint,
    S3_REGION: env.s3.region,
    S3_ACCESS_KEY: env.s3.accessKey,
    S3_SECRET_KEY: env.s3.secretKey,
    S3_BUCKET: f.attachmentsBucket,
    S3_USE_PATH_STYLE: 'true',
    BACKUP_S3_BUCKET: f.backupBucket,
    TIMEOUT_MS: '3000',
    ...extra,
  };
}

export function configFor(f: Fixture, extra: Record<string, string> = {}): TConfig {
  return loadConfig(envFor(f, extra));
}

export function quietLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLog('debug', [], (l) => lines.push(l)),
    { lines },
  );
}

export const backupBucketKeys = async (bucket: string): Promise<string[]> =>
  (await listAll(openStore(adminTarget(bucket), 10000), '')).map((o) => o.key).sort();

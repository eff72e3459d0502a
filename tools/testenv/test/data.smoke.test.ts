// The data services are the real thing: FerretDB speaks the MongoDB wire protocol to mongoose,
// Redis answers ioredis, and MinIO serves S3 to the AWS SDK with path-style addressing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { testEnv } from '../src/index.ts';

const env = testEnv('mongodb', 'redis', 's3');
const suffix = `${process.pid}${Date.now().toString(36)}`;

describe('FerretDB (MongoDB wire protocol)', () => {
  const conn = mongoose.createConnection(env.mongodbUri, {
    dbName: `smoke_${suffix}`,
    serverSelectionTimeoutMS: 5000,
  });
  after(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('inserts and finds documents through mongoose and enforces a unique index', async () => {
    const User = conn.model(
      'User',
      new mongoose.Schema({ email: { type: String, required: true, unique: true }, name: String }),
    );
    await User.init();
    await User.create({ email: 'ada@example.com', name: 'Ada' });
    const found = await User.findOne({ email: 'ada@example.com' }).lean();
    assert.equal(found?.name, 'Ada');
    await assert.rejects(
      User.create({ email: 'ada@example.com', name: 'Imposter' }),
      (err: { code?: number }) => err.code === 11000,
    );
    assert.equal(await User.countDocuments(), 1);
  });
});

describe('Redis', () => {
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
  after(async () => {
    await redis.del(`smoke:${suffix}`);
    redis.disconnect();
  });

  it('sets and gets a value, and refuses a wrong password', async () => {
    await redis.set(`smoke:${suffix}`, 'value', 'EX', 60);
    assert.equal(await redis.get(`smoke:${suffix}`), 'value');
    const url = new URL(env.redisUrl);
    url.password = 'wrong';
    const bad = new Redis(url.toString(), {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    const refused = new Promise<Error>((resolve) => bad.once('error', resolve));
    await bad.connect().catch(() => undefined);
    assert.match((await refused).message, /WRONGPASS|invalid password/);
    bad.disconnect();
  });
});

describe('MinIO (S3)', () => {
  const s3 = new S3Client({
    endpoint: env.s3.endpoint,
    region: env.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.s3.accessKey, secretAccessKey: env.s3.secretKey },
  });
  const Bucket = `smoke-${suffix}`;
  after(async () => {
    await s3
      .send(new DeleteObjectCommand({ Bucket, Key: 'dir/object.bin' }))
      .catch(() => undefined);
    await s3.send(new DeleteBucketCommand({ Bucket })).catch(() => undefined);
    s3.destroy();
  });

  it('puts and gets an object with path-style addressing', async () => {
    const body = randomBytes(64 * 1024);
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'dir/object.bin',
        Body: body,
        ContentType: 'application/octet-stream',
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'dir/object.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray()); // eslint-disable-line @typescript-eslint/no-non-null-assertion -- GetObject always has a body on 200
    assert.ok(bytes.equals(body));
    assert.equal(got.ContentType, 'application/octet-stream');
  });

  it('refuses a request signed with a wrong secret', async () => {
    const bad = new S3Client({
      endpoint: env.s3.endpoint,
      region: env.s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: env.s3.accessKey, secretAccessKey: 'not-the-secret' },
    });
    await assert.rejects(
      bad.send(new GetObjectCommand({ Bucket, Key: 'dir/object.bin' })),
      /SignatureDoesNotMatch|signature/i,
    );
    bad.destroy();
  });
});

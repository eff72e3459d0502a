// The S3 client (MinIO or any S3 endpoint) and the few object operations the app uses.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { TConfig } from './config.ts';

export interface Storage {
  client: S3Client;
  bucket: string;
  ensureBucket(): Promise<void>;
  ping(signal?: AbortSignal): Promise<void>;
  put(key: string, body: Readable | Buffer, size: number, contentType: string): Promise<void>;
  head(key: string): Promise<{ size: number; contentType: string | undefined } | null>;
  remove(key: string): Promise<void>;
  /** The object as a stream, or null when it does not exist (NoSuchKey). */
  get(
    key: string,
    signal?: AbortSignal,
  ): Promise<{ body: Readable; size: number | undefined; contentType: string | undefined } | null>;
  /** True when presigned URLs target `S3_PUBLIC_ENDPOINT` (reachable by browsers). */
  readonly publicPresign: boolean;
  presignGet(key: string, filename: string, expiresIn: number): Promise<string>;
  presignPut(key: string, contentType: string, size: number, expiresIn: number): Promise<string>;
}

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

/** RFC 6266 header: an ASCII fallback plus the exact UTF-8 name (RFC 8187 encoding). */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export function createStorage(config: TConfig): Storage {
  const clientFor = (endpoint: string | undefined) =>
    new S3Client({
      region: config.S3_REGION,
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: config.S3_USE_PATH_STYLE,
      credentials: { accessKeyId: config.S3_ACCESS_KEY, secretAccessKey: config.S3_SECRET_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const client = clientFor(config.S3_ENDPOINT);
  // Presigning is local (no request), so this client only ever signs URLs for browsers.
  const presigner = config.S3_PUBLIC_ENDPOINT ? clientFor(config.S3_PUBLIC_ENDPOINT) : client;
  const bucket = config.S3_BUCKET;
  return {
    client,
    bucket,
    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch {
        try {
          await client.send(new CreateBucketCommand({ Bucket: bucket }));
        } catch (err) {
          const name = (err as { name?: string }).name;
          if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
        }
      }
    },
    async ping(signal) {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    },
    async put(key, body, size, contentType) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: size,
          ContentType: contentType,
        }),
      );
    },
    async head(key) {
      try {
        const r = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: r.ContentLength ?? 0, contentType: r.ContentType };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    async get(key, signal) {
      try {
        const r = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key }),
          signal ? { abortSignal: signal } : {},
        );
        if (!r.Body) return null;
        return { body: r.Body as Readable, size: r.ContentLength, contentType: r.ContentType };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    publicPresign: presigner !== client,
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    presignGet(key, filename, expiresIn) {
      return getSignedUrl(
        presigner,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: contentDisposition(filename),
        }),
        { expiresIn },
      );
    },
    presignPut(key, contentType, size, expiresIn) {
      return getSignedUrl(
        presigner,
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          ContentType: contentType,
          ContentLength: size,
        }),
        { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) },
      );
    },
  };
}

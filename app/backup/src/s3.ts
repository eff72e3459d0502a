// The S3 layer: generic (any S3-compatible endpoint), streaming, multipart for large objects.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Target } from './config.ts';

/** 8 MiB parts: above S3's 5 MiB minimum, small enough to keep memory flat. */
export const PART_SIZE = 8 * 1024 * 1024;

export interface Store {
  client: S3Client;
  bucket: string;
  /** Human description for messages: endpoint and bucket, never credentials. */
  where: string;
}

export function openStore(t: S3Target, timeoutMs: number): Store {
  const client = new S3Client({
    endpoint: t.endpoint,
    region: t.region,
    forcePathStyle: t.forcePathStyle,
    credentials: { accessKeyId: t.accessKey, secretAccessKey: t.secretKey },
    maxAttempts: 3,
    // Compatibility with S3 implementations that do not know the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs * 4 },
  });
  return { client, bucket: t.bucket, where: `s3 bucket "${t.bucket}" at ${t.endpoint ?? 'AWS'}` };
}

/** Why an S3 call failed, in words an operator can act on. */
export function describeS3Error(e: unknown): string {
  const err = e as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = err.$metadata?.httpStatusCode;
  const parts = [err.name, err.code, status ? `HTTP ${status}` : undefined, err.message].filter(
    (p) => p && p !== 'UnknownError',
  );
  if (status === 403) parts.push('(wrong or insufficient credentials)');
  if (status === 404) parts.push('(bucket does not exist)');
  return [...new Set(parts)].join(': ') || String(e);
}

export class StoreError extends Error {
  override name = 'StoreError';
}

/** A failure to reach the endpoint at all (no HTTP answer): may pass in a moment. */
export function isNetworkError(e: unknown): boolean {
  const err = e as { code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (err.$metadata?.httpStatusCode) return false;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|socket hang up/.test(
    `${err.code ?? ''} ${err.message ?? ''}`,
  );
}

/**
 * Proves the store is reachable, the credentials are valid and the bucket exists, before any
 * write. Listing (not only HEAD) also checks read permission, which restore and prune need.
 * A store that cannot be reached at all is retried for `waitMs` (back-off 0.25 s doubling to
 * 4 s): a Job's pod may start before the network lets it out (a NetworkPolicy engine
 * programs a new pod's rules a moment after it starts, a sidecar or route is not up yet).
 * An HTTP answer (403, 404, ...) fails at once.
 */
export async function checkStore(store: Store, what: string, waitMs = 20_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    try {
      await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
      await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, MaxKeys: 1 }));
      return;
    } catch (e) {
      if (!isNetworkError(e) || Date.now() + delay > deadline)
        throw new StoreError(`${what} (${store.where}) is not usable: ${describeS3Error(e)}`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export interface UploadResult {
  key: string;
  size: number;
  sha256: string;
}

async function* rechunk(source: AsyncIterable<Buffer | Uint8Array | string>, size: number) {
  let pending: Buffer[] = [];
  let pendingLen = 0;
  for await (const c of source) {
    const b =
      typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.length);
    pending.push(b);
    pendingLen += b.length;
    while (pendingLen >= size) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      pendingLen = all.length - size;
    }
  }
  if (pendingLen > 0 || pending.length === 0) yield Buffer.concat(pending);
}

/**
 * Streams `source` to `key`: one PUT when it fits in a part, otherwise a multipart upload that
 * is aborted on any error (so a failed upload leaves no object and no orphaned parts).
 */
export async function uploadStream(
  store: Store,
  key: string,
  source: AsyncIterable<Buffer | Uint8Array | string>,
  contentType: string,
): Promise<UploadResult> {
  const hash = createHash('sha256');
  let size = 0;
  let uploadId: string | undefined;
  const parts: { ETag: string | undefined; PartNumber: number }[] = [];
  try {
    for await (const chunk of rechunk(source, PART_SIZE)) {
      hash.update(chunk);
      size += chunk.length;
      if (chunk.length < PART_SIZE && uploadId === undefined) {
        // The whole object is smaller than one part.
        await store.client.send(
          new PutObjectCommand({
            Bucket: store.bucket,
            Key: key,
            Body: chunk,
            ContentType: contentType,
          }),
        );
        return { key, size, sha256: hash.digest('hex') };
      }
      if (uploadId === undefined) {
        const created = await store.client.send(
          new CreateMultipartUploadCommand({
            Bucket: store.bucket,
            Key: key,
            ContentType: contentType,
          }),
        );
        uploadId = created.UploadId;
        if (!uploadId) throw new StoreError(`no upload id for ${key}`);
      }
      const PartNumber = parts.length + 1;
      const r = await store.client.send(
        new UploadPartCommand({
          Bucket: store.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber,
          Body: chunk,
        }),
      );
      parts.push({ ETag: r.ETag, PartNumber });
    }
    await store.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: store.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { key, size, sha256: hash.digest('hex') };
  } catch (e) {
    if (uploadId !== undefined) {
      await store.client
        .send(
          new AbortMultipartUploadCommand({ Bucket: store.bucket, Key: key, UploadId: uploadId }),
        )
        .catch(() => undefined);
    }
    throw e;
  }
}

export async function putJson(store: Store, key: string, value: unknown): Promise<void> {
  await store.client.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: key,
      Body: `${JSON.stringify(value, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
}

export interface ObjectStream {
  body: Readable;
  size: number | undefined;
  etag: string | undefined;
  contentType: string | undefined;
}

export async function getStream(
  store: Store,
  key: string,
  ifMatch?: string,
): Promise<ObjectStream> {
  const r = await store.client.send(
    new GetObjectCommand({ Bucket: store.bucket, Key: key, IfMatch: ifMatch }),
  );
  if (!r.Body) throw new StoreError(`empty body for ${key}`);
  return {
    body: r.Body as Readable,
    size: r.ContentLength,
    etag: r.ETag,
    contentType: r.ContentType,
  };
}

export async function getText(store: Store, key: string): Promise<string> {
  const r = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
  if (!r.Body) throw new StoreError(`empty body for ${key}`);
  return r.Body.transformToString('utf8');
}

export async function exists(store: Store, key: string): Promise<boolean> {
  try {
    await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    return true;
  } catch (e) {
    if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
      return false;
    }
    throw e;
  }
}

export interface ListedObject {
  key: string;
  size: number;
}

export async function listAll(store: Store, prefix: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let token: string | undefined;
  do {
    const r = await store.client.send(
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of r.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function deleteKeys(store: Store, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const r = await store.client.send(
      new DeleteObjectsCommand({
        Bucket: store.bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    if (r.Errors && r.Errors.length > 0) {
      const first = r.Errors[0];
      throw new StoreError(
        `could not delete ${r.Errors.length} object(s), first ${first?.Key}: ${first?.Code} ${first?.Message}`,
      );
    }
  }
}

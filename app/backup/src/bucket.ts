// `pms-backup ensure-bucket`: create the attachments bucket when it is missing. The operator runs
// it as a Job right after the in-cluster MinIO starts, so the endpoint may not answer yet: it
// retries what can pass (no connection, timeouts, 5xx such as MinIO's "server not initialized")
// with back-off until `waitMs` has passed, and fails at once on what cannot (e.g. 403).
import {
  CreateBucketCommand,
  HeadBucketCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import type { S3Target } from './config.ts';
import type { Log } from './log.ts';
import { describeS3Error, openStore, StoreError } from './s3.ts';

export interface EnsureBucketResult {
  bucket: string;
  created: boolean;
  attempts: number;
}

interface S3Failure {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const status = (e: unknown) => (e as S3Failure).$metadata?.httpStatusCode;

/** No HTTP answer at all, a server error or throttling: worth another try. */
export function isRetryable(e: unknown): boolean {
  const s = status(e);
  return s === undefined || s >= 500 || s === 429 || s === 408;
}

const isMissing = (e: unknown) => status(e) === 404 || (e as S3Failure).name === 'NotFound';
const alreadyOwned = (e: unknown) => (e as S3Failure).name === 'BucketAlreadyOwnedByYou';

export interface EnsureBucketOptions {
  /** Per-request timeout (TIMEOUT_MS). */
  timeoutMs: number;
  /** Give up when the endpoint has not answered usefully for this long. */
  waitMs: number;
  log: Log;
  sleep?: (ms: number) => Promise<void>;
}

export async function ensureBucket(
  target: S3Target,
  opts: EnsureBucketOptions,
): Promise<EnsureBucketResult> {
  const store = openStore(target, opts.timeoutMs);
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + opts.waitMs;
  let delay = 250;
  for (let attempts = 1; ; attempts++) {
    try {
      try {
        await store.client.send(new HeadBucketCommand({ Bucket: target.bucket }));
        return { bucket: target.bucket, created: false, attempts };
      } catch (e) {
        if (!isMissing(e)) throw e;
      }
      // us-east-1 is the one region S3 wants without a location constraint.
      const location =
        target.region === 'us-east-1'
          ? undefined
          : { LocationConstraint: target.region as BucketLocationConstraint };
      try {
        await store.client.send(
          new CreateBucketCommand({ Bucket: target.bucket, CreateBucketConfiguration: location }),
        );
      } catch (e) {
        // Created meanwhile by a concurrent run: the goal is reached.
        if (alreadyOwned(e)) return { bucket: target.bucket, created: false, attempts };
        throw e;
      }
      opts.log.info('bucket created', { bucket: target.bucket, attempts });
      return { bucket: target.bucket, created: true, attempts };
    } catch (e) {
      const why = describeS3Error(e);
      if (!isRetryable(e)) {
        throw new StoreError(`cannot ensure bucket "${target.bucket}" (${store.where}): ${why}`);
      }
      if (Date.now() + delay > deadline) {
        throw new StoreError(
          `${store.where} did not answer within ${Math.round(opts.waitMs / 1000)} s ` +
            `(${attempts} attempts; last error: ${why})`,
        );
      }
      opts.log.warn('object storage not ready, retrying', { attempts, error: why, delayMs: delay });
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

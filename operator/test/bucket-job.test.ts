// The MinIO bucket Job as rendered, run for real: the container's command line and environment
// (Secret references resolved and $(VAR) expanded as the kubelet does) given to the pms-backup
// program of this repository (app/backup), against the test environment's MinIO. Only what a
// pod outside the cluster cannot have is replaced: the in-cluster endpoint (the test MinIO's
// address), the MinIO Secret's values (the test MinIO's credentials), the bucket name (one per
// run) and the termination-log path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
// The workspace root's S3 client (app/backup's dependency): only for the clean-up.
import { DeleteBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { testEnv } from '@pms/testenv';
import { renderChildren, renderSecrets, type Child } from '../src/render/index.ts';
import { countingRandom, makeInstance } from '../src/render/test-fixtures.ts';

const env = testEnv('s3');
const cli = resolve(import.meta.dirname, '../../app/backup/src/cli.ts');
const bucket = `pms-bucket-job-${randomBytes(4).toString('hex')}`;
const s3 = new S3Client({
  endpoint: env.s3.endpoint,
  region: env.s3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: env.s3.accessKey, secretAccessKey: env.s3.secretKey },
});

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** The container environment as the kubelet builds it: secretKeyRefs, then $(VAR) expansion. */
function kubeletEnv(vars: EnvVar[], secrets: Map<string, Record<string, string>>) {
  const out: Record<string, string> = {};
  for (const v of vars) {
    if (v.valueFrom?.secretKeyRef) {
      const { name, key } = v.valueFrom.secretKeyRef;
      const value = secrets.get(name)?.[key];
      assert.ok(value !== undefined, `${v.name}: Secret ${name} has no key ${key}`);
      out[v.name] = value;
    } else {
      out[v.name] = (v.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) =>
        n in out ? (out[n] ?? '') : m,
      );
    }
  }
  return out;
}

describe('the MinIO bucket Job runs pms-backup ensure-bucket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pms-bucket-job-'));
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  });

  it('creates the attachments bucket with the rendered command and environment, once', async () => {
    const instance = makeInstance();
    const job = renderChildren(instance).find((c) => c.kind === 'Job') as Child & {
      spec: { template: { spec: { containers: { args: string[]; env: EnvVar[] }[] } } };
    };
    const container = job.spec.template.spec.containers[0];
    assert.ok(container);
    const secrets = new Map(
      renderSecrets(instance, countingRandom()).map((s) => [
        s.metadata.name,
        Object.fromEntries(
          Object.entries((s as unknown as { data: Record<string, string> }).data).map(([k, v]) => [
            k,
            Buffer.from(v, 'base64').toString('utf8'),
          ]),
        ),
      ]),
    );
    secrets.set('acme-minio', { 'access-key': env.s3.accessKey, 'secret-key': env.s3.secretKey });
    const vars = kubeletEnv(container.env, secrets);
    assert.equal(vars.S3_ENDPOINT, 'http://acme-minio.tenant-a.svc:9000');
    assert.match(vars.MONGODB_URI ?? '', /^mongodb:\/\/pms:[A-Za-z0-9_-]{43}@acme-mongodb-0\./);
    const run = () => {
      const resultFile = join(dir, 'termination-log');
      const r = spawnSync(process.execPath, [cli, ...container.args], {
        env: {
          PATH: process.env.PATH ?? '',
          ...vars,
          S3_ENDPOINT: env.s3.endpoint,
          S3_BUCKET: bucket,
          RESULT_FILE: resultFile,
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `pms-backup ${container.args.join(' ')} failed:\n${r.stderr}`);
      return JSON.parse(readFileSync(resultFile, 'utf8')) as { bucket: string; created: boolean };
    };
    assert.deepEqual(container.args, ['ensure-bucket']);
    const first = run();
    assert.equal(first.bucket, bucket);
    assert.equal(first.created, true);
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    // A restarted pod (restartPolicy OnFailure) finds the bucket and succeeds again.
    assert.equal(run().created, false);
  });
});

// S3 from a MinIO server built from a pinned Go module.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from '../install.ts';
import { freePort, waitUntil } from '../proc.ts';
import type { RunningService, ServiceContext } from './types.ts';

export async function startS3(ctx: ServiceContext): Promise<RunningService> {
  const port = await freePort();
  const consolePort = await freePort();
  const dir = join(ctx.dataDir, 'minio');
  mkdirSync(dir, { recursive: true });
  const accessKey = 'testenv-admin';
  const secretKey = randomBytes(16).toString('hex');
  const p = ctx.spawn(
    'minio',
    binaryPath('minio'),
    [
      'server',
      dir,
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
      '--quiet',
    ],
    {
      MINIO_ROOT_USER: accessKey,
      MINIO_ROOT_PASSWORD: secretKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
    },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(p, async () => (await fetch(`${endpoint}/minio/health/ready`)).ok, 60_000);
  return {
    name: 's3',
    processes: [p],
    env: {
      TESTENV_S3_ENDPOINT: endpoint,
      TESTENV_S3_REGION: 'us-east-1',
      TESTENV_S3_ACCESS_KEY: accessKey,
      TESTENV_S3_SECRET_KEY: secretKey,
    },
  };
}

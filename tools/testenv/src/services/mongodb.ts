// MongoDB wire protocol from FerretDB v1 with its embedded SQLite backend (no MongoDB server
// package is reachable here; see app/backend/README.md for what FerretDB v1 lacks).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from '../install.ts';
import { freePort, tcpReady, waitUntil } from '../proc.ts';
import type { RunningService, ServiceContext } from './types.ts';

export async function startMongo(ctx: ServiceContext): Promise<RunningService> {
  const port = await freePort();
  const dir = join(ctx.dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  const p = ctx.spawn('ferretdb', binaryPath('ferretdb'), [
    `--listen-addr=127.0.0.1:${port}`,
    `--sqlite-url=file:${dir}/`,
    '--log-level=warn',
  ]);
  await waitUntil(p, () => tcpReady(port), 30_000);
  return {
    name: 'mongodb',
    processes: [p],
    env: { TESTENV_MONGODB_URI: `mongodb://127.0.0.1:${port}/` },
  };
}

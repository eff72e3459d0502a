import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findProgram } from '../install.ts';
import { freePort, waitUntil } from '../proc.ts';
import type { RunningService, ServiceContext } from './types.ts';

function pingWithAuth(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    s.setTimeout(1000);
    s.on('connect', () => s.write(`AUTH ${password}\r\nPING\r\n`));
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('+PONG')) {
        s.destroy();
        resolve(true);
      }
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function startRedis(ctx: ServiceContext): Promise<RunningService> {
  const bin = findProgram('redis-server');
  if (!bin)
    throw new Error(
      'redis-server not found: apt-get install redis-server (or run scripts/setup.sh)',
    );
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const dir = join(ctx.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const p = ctx.spawn('redis', bin, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--requirepass',
    password,
    '--daemonize',
    'no',
  ]);
  await waitUntil(p, () => pingWithAuth(port, password), 30_000);
  return {
    name: 'redis',
    processes: [p],
    env: {
      TESTENV_REDIS_URL: `redis://:${password}@127.0.0.1:${port}`,
      TESTENV_REDIS_PASSWORD: password,
    },
  };
}

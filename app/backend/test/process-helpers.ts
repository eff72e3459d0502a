// Starting the real entry point (src/main.ts) as a child process, for the process tests.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const main = new URL('../src/main.ts', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Runs `node src/main.ts` with only PATH and `env`; collects stdout, stderr and JSON log lines. */
export function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  /** The JSON log lines (pino) written so far, by the process and its workers. */
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, out: () => out, err: () => err, logs };
}

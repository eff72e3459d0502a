// `up` then `down` leaves no process and no listening port behind, and a second `up` in the same
// folder starts clean.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { isAlive, tcpReady } from '../src/proc.ts';
import type { EnvState } from '../src/state.ts';

const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'testenv-lifecycle-'));
const run = (...args: string[]) =>
  execFileSync(process.execPath, [cli, ...args], {
    env: { ...process.env, PMS_TESTENV_DIR: dir },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

after(() => {
  try {
    run('down');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('up then down leaves no process and no port behind', async () => {
  for (let round = 1; round <= 2; round++) {
    const exported = run('up', '--only', 'kube,mongodb,redis,s3');
    assert.match(exported, /export TESTENV_KUBECONFIG=/);
    assert.match(exported, /export TESTENV_MONGODB_URI='mongodb:\/\/127\.0\.0\.1:\d+\/'/);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as EnvState;
    const pids = state.services.flatMap((s) => s.processes.map((p) => p.pid));
    assert.equal(
      pids.length,
      8,
      'etcd, apiserver, controller-manager, scheduler, kwok, ferretdb, redis, minio',
    );
    const ports = [...readFileSync(join(dir, 'env'), 'utf8').matchAll(/127\.0\.0\.1:(\d+)/g)].map(
      (m) => Number(m[1]),
    );
    assert.ok(ports.length >= 4);
    for (const port of ports) assert.ok(await tcpReady(port), `port ${port} listening while up`);
    assert.match(run('status'), /all processes alive/);

    run('down');
    for (const pid of pids)
      assert.equal(isAlive(pid), false, `pid ${pid} still alive after down (round ${round})`);
    for (const port of ports)
      assert.equal(await tcpReady(port), false, `port ${port} still open after down`);
    assert.throws(() => run('status'), /not running|Command failed/);
  }
});

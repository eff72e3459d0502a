// `up` then `down` leaves no process and no listening port behind, and a second `up` in the same
// folder starts clean. With the real node, `down` also leaves no container, mount, network
// namespace, veth, host route or cgroup.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { isAlive, tcpReady } from '../src/proc.ts';
import { nodeIndex, nodeNetwork } from '../src/services/network.ts';
import { postgresDirFor } from '../src/services/mongodb.ts';
import { mountsUnder } from '../src/services/node.ts';
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
    const exported = run('up', '--only', 'kube,kwok,mongodb,redis,s3');
    assert.match(exported, /export TESTENV_KUBECONFIG=/);
    assert.match(exported, /export TESTENV_MONGODB_URI='mongodb:\/\/127\.0\.0\.1:\d+\/'/);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as EnvState;
    const pids = state.services.flatMap((s) => s.processes.map((p) => p.pid));
    assert.equal(
      pids.length,
      9,
      'etcd, apiserver, controller-manager, scheduler, kwok, postgresql, ferretdb, redis, minio',
    );
    const pgDir = postgresDirFor(join(dir, 'data'));
    assert.ok(existsSync(join(pgDir, 'data', 'PG_VERSION')), `the database cluster in ${pgDir}`);
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
    assert.equal(existsSync(pgDir), false, `${pgDir} left behind after down`);
  }
});

/** Processes whose command line names `text` (the node's containerd socket, for its shims). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

it('up then down with the real node, twice, leaves nothing of it behind', async () => {
  const net = nodeNetwork(nodeIndex(dir));
  const dataDir = join(dir, 'data');
  const cgroup = `/sys/fs/cgroup/pids/${net.netns}`;
  for (let round = 1; round <= 2; round++) {
    const exported = run('up', '--only', 'kube,node');
    assert.match(exported, new RegExp(`export TESTENV_NODE_IP='${net.nodeIp}'`));
    const socket = /TESTENV_CONTAINERD_ADDRESS='([^']+)'/.exec(exported)?.[1] ?? '';
    assert.ok(existsSync(net.netnsPath), 'network namespace while up');
    assert.ok(mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), dataDir).length > 0);
    const shims = processesMentioning(socket).filter((p) =>
      readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('containerd-shim'),
    );
    assert.ok(shims.length > 0, 'CoreDNS runs under a containerd shim');

    run('down');
    assert.deepEqual(processesMentioning(dataDir), [], `no process of the node (round ${round})`);
    for (const pid of shims) assert.equal(isAlive(pid), false, `shim ${pid} gone`);
    assert.deepEqual(mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), dataDir), []);
    assert.equal(existsSync(net.netnsPath), false, 'network namespace removed');
    assert.equal(
      spawnSync('ip', ['link', 'show', net.hostVeth]).status !== 0,
      true,
      'veth removed',
    );
    const routes = execFileSync('ip', ['route'], { encoding: 'utf8' });
    assert.doesNotMatch(routes, new RegExp(`via ${net.nodeIp.replaceAll('.', '\\.')} `));
    assert.equal(existsSync(cgroup), false, 'cgroup removed');
    const cniResults = '/var/lib/cni/results';
    if (existsSync(cniResults))
      for (const f of readdirSync(cniResults))
        assert.ok(!readFileSync(join(cniResults, f), 'utf8').includes(dataDir), `${f} left`);
  }
});

it('a node network left by a killed environment is taken over; a running one is not', async () => {
  // Three state folders sharing one node index, as two clones with the default folder would.
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'testenv-holder-')));
  const [killed, next, third] = dirs as [string, string, string];
  const index = String(nodeIndex(killed));
  const net = nodeNetwork(Number(index));
  const runIn = (folder: string, ...args: string[]) =>
    execFileSync(process.execPath, [cli, ...args], {
      env: { ...process.env, PMS_TESTENV_DIR: folder, PMS_TESTENV_NODE_INDEX: index },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  try {
    runIn(killed, 'up', '--only', 'kube,node');
    // The machine session ends mid-run: every process of that environment dies at once, and
    // nobody runs `down`; its namespace, veth, mounts and containers stay.
    const state = JSON.parse(readFileSync(join(killed, 'state.json'), 'utf8')) as EnvState;
    for (const pid of [
      ...state.services.flatMap((s) => s.processes.map((p) => p.pid)),
      ...processesMentioning(join(killed, 'data')),
    ])
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    assert.ok(existsSync(net.netnsPath), 'the killed environment left its namespace');

    const r = spawnSync(process.execPath, [cli, 'up', '--only', 'kube,node'], {
      env: { ...process.env, PMS_TESTENV_DIR: next, PMS_TESTENV_NODE_INDEX: index },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`left by a stopped environment in ${killed}`));
    assert.deepEqual(mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), killed), []);
    assert.equal(readFileSync(`/sys/class/net/${net.hostVeth}/ifalias`, 'utf8').trim(), next);

    // A running environment keeps its network: the third one is refused with what to do.
    assert.throws(
      () => runIn(third, 'up', '--only', 'kube,node'),
      (e: Error & { stderr?: string }) =>
        new RegExp(`in use by the environment in ${next}.*PMS_TESTENV_NODE_INDEX`).test(
          e.stderr ?? '',
        ),
    );
    assert.equal(readFileSync(`/sys/class/net/${net.hostVeth}/ifalias`, 'utf8').trim(), next);
  } finally {
    for (const d of [third, next, killed]) {
      try {
        runIn(d, 'down');
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    }
  }
});

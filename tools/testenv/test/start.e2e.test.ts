// `npm start` exactly as a newcomer runs it: no KUBECONFIG and no ~/.kube/config (HOME is an
// empty folder), a clean PMS_TESTENV_DIR. The test waits for the printed next steps, runs the
// printed kubectl lines in a shell, and checks the sample instance on the local cluster; then
// kill -9 of the operator (the cluster stays, the operator comes back) and Ctrl-C (the operator
// stops, the cluster stays until `npm run env -- down`).
//
// Deviations from a user's terminal, each for running next to other environments: the metrics
// port is a free one (two operators cannot both take 8080), and the test environment's caches
// (PMS_TESTENV_CACHE, Go's) are passed on, since HOME is replaced.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually } from '../src/index.ts';
import { cacheDir, repoRoot } from '../src/paths.ts';
import { freePort } from '../src/proc.ts';

const dir = '/tmp/pms-start-e2e';
const home = join(dir, 'home');
const cli = join(repoRoot, 'tools', 'testenv', 'src', 'cli.ts');
let child: ChildProcess;
let output = '';
let kubeconfig = '';
let namespace = '';
let instance = '';

function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const realHome = homedir();
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    LANG: 'C.UTF-8',
    PMS_TESTENV_DIR: dir,
    PMS_TESTENV_CACHE: cacheDir,
    GOPATH: process.env.GOPATH ?? join(realHome, 'go'),
    GOCACHE: process.env.GOCACHE ?? join(realHome, '.cache', 'go-build'),
    ...extra,
  };
}

/** Runs a printed line in a shell, the way a user pastes it. */
function sh(line: string): string {
  const r = spawnSync('bash', ['-c', line], {
    cwd: repoRoot,
    env: userEnv(),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${line}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function kubectlJson<T>(args: string): T {
  return JSON.parse(sh(`export KUBECONFIG=${kubeconfig}; kubectl ${args} -o json`)) as T;
}

const pids = () => [...output.matchAll(/operator started \(pid (\d+)\)/g)].map((m) => Number(m[1]));

function teardown(): void {
  spawnSync(process.execPath, [cli, 'down'], { env: userEnv(), stdio: 'ignore' });
}

before(async () => {
  teardown();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const port = await freePort();
  // Its own process group, so SIGINT reaches npm and everything under it, as Ctrl-C in a terminal.
  child = spawn('npm', ['start'], {
    cwd: repoRoot,
    env: userEnv({ METRICS_PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
});

after(() => {
  if (child.exitCode === null && child.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  teardown();
  rmSync(dir, { recursive: true, force: true });
});

test('npm start brings up the local cluster and prints the next steps', async () => {
  await eventually(
    'the next steps',
    async () => {
      assert.equal(child.exitCode, null, `npm start exited:\n${output}`);
      return /npm run env -- down/.test(output);
    },
    1_200_000,
  );
  kubeconfig = /^\s+export KUBECONFIG=(\S+)$/m.exec(output)?.[1] ?? '';
  assert.ok(kubeconfig.startsWith(dir), `kubeconfig in the environment folder: ${kubeconfig}`);
  assert.match(output, /up --only kube,(node,)?storage/);
  assert.match(
    output,
    /installed pmsbackups\.pms\.io, pmsinstances\.pms\.io, pmsrestores\.pms\.io/,
  );
  // Transient API errors while the API server initialises are one line each, never a dump.
  assert.doesNotMatch(output, /HTTP-Code:|"Headers"/);
});

test('the printed lines create the sample, whose volumes bind on the local storage', async () => {
  const steps = output.split('\n').map((l) => l.trim());
  const exportLine = steps.find((l) => l.startsWith('export KUBECONFIG='));
  const applyLine = steps.find((l) => l.includes('apply -f samples/01-minimal.yaml'));
  const watchLine = steps.find((l) => / get pmsinstances -w/.test(l));
  assert.ok(exportLine && applyLine && watchLine, output);
  namespace = /kubectl -n (\S+) apply/.exec(applyLine)?.[1] ?? '';
  sh(`${exportLine}\n${applyLine}`);
  // The watch line, without -w (a test cannot wait for Ctrl-C), proves it names the instance.
  const got = sh(`${exportLine}\n${watchLine.replace(/ -w\b.*$/, '')} -o name`);
  instance = got.trim().split('/')[1] ?? '';
  assert.ok(instance, got);
  await eventually(
    'every claim of the instance Bound',
    async () => {
      const pvcs = kubectlJson<{ items: Array<{ status: { phase: string } }> }>(
        `-n ${namespace} get pvc`,
      ).items;
      return pvcs.length >= 2 && pvcs.every((p) => p.status.phase === 'Bound');
    },
    180_000,
  );
});

test('kill -9 of the operator: the cluster keeps running and the operator is restarted', async () => {
  const [first] = pids();
  assert.ok(first, output);
  process.kill(first, 'SIGKILL');
  await eventually('the operator restarted', async () => pids().length >= 2, 60_000);
  assert.match(output, /operator exited \(SIGKILL\); restarting in 1 s/);
  const ns = kubectlJson<{ status: { phase: string } }>(`get namespace ${namespace}`);
  assert.equal(ns.status.phase, 'Active');
  // The restarted operator works: it (re)writes the instance's status.
  kubectlJson(`-n ${namespace} get pmsinstance ${instance}`);
});

// Ready needs every image of the instance in the node's containerd (no registry is reachable).
// mongo:7.0 cannot be had on these machines at all (issue 10), so here the strongest check is:
// Ready when the images are there; otherwise everything `npm start` provides is in place (every
// pod placed on the real node, every claim Bound, the product images imported) and what holds
// the instance is image pulls, which the test names. With every image present it is the plain
// Ready check.
test('the sample becomes Ready, or is held only by images the node lacks', async (t) => {
  interface Container {
    image: string;
    state: { waiting?: { reason: string } };
  }
  const pods = () =>
    kubectlJson<{
      items: Array<{
        metadata: { name: string };
        spec: { nodeName?: string };
        status: { initContainerStatuses?: Container[]; containerStatuses?: Container[] };
      }>;
    }>(`-n ${namespace} get pods`).items;
  const waiting = () =>
    pods().flatMap((p) =>
      [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]
        .filter((c) => c.state.waiting)
        .map((c) => ({
          pod: p.metadata.name,
          reason: c.state.waiting?.reason ?? '',
          image: c.image,
        })),
    );
  const deadline = Date.now() + 600_000;
  let blockedSince: number | undefined;
  for (;;) {
    const pms = kubectlJson<{
      status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
    }>(`-n ${namespace} get pmsinstance ${instance}`);
    if (pms.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    const all = pods();
    const w = waiting();
    // Blocked: every pod placed on a node, and some container waiting for an image the node
    // does not have (its dependents may crash-loop meanwhile, e.g. the API without MongoDB).
    const blocked =
      all.length > 0 &&
      all.every((p) => p.spec.nodeName) &&
      w.some((c) => /ErrImage|ImagePull/.test(c.reason));
    blockedSince = blocked ? (blockedSince ?? Date.now()) : undefined;
    // A minute of pull errors: no image appears by waiting.
    if (blockedSince !== undefined && Date.now() - blockedSince > 60_000) {
      assert.notEqual(pms.status?.phase, 'Failed');
      const missing = [
        ...new Set(w.filter((c) => /ErrImage|ImagePull/.test(c.reason)).map((c) => c.image)),
      ];
      const other = w.filter((c) => !/ErrImage|ImagePull|PodInitializing/.test(c.reason));
      t.diagnostic(
        `NOT Ready: the node lacks these images: ${missing.join(', ')}` +
          (other.length
            ? `; meanwhile: ${other.map((c) => `${c.pod} ${c.reason}`).join(', ')}`
            : ''),
      );
      return;
    }
    if (Date.now() > deadline) {
      assert.fail(`not Ready after 10 min; waiting: ${JSON.stringify(w)}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
});

test('Ctrl-C stops the operator and leaves the cluster running until env down', async () => {
  const pid = child.pid;
  assert.ok(pid);
  const exited = new Promise<[number | null, string | null]>((r) =>
    child.once('exit', (code, signal) => r([code, signal])),
  );
  process.kill(-pid, 'SIGINT');
  // npm re-raises the SIGINT it got once its script has exited (start.ts itself exits 0).
  const [code, signal] = await exited;
  assert.ok(code === 0 || signal === 'SIGINT', `exit ${code} ${signal}\n${output}`);
  assert.match(output, /The local cluster is still running/);
  assert.match(output, new RegExp(`PMS_TESTENV_DIR=${dir} npm run env -- down`));
  for (const p of pids()) assert.throws(() => process.kill(p, 0), `operator ${p} stopped`);
  const ns = kubectlJson<{ status: { phase: string } }>(`get namespace ${namespace}`);
  assert.equal(ns.status.phase, 'Active');
});

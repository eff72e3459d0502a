// `npm start` exactly as a newcomer runs it: no KUBECONFIG and no ~/.kube/config (HOME is an
// empty folder), a clean PMS_TESTENV_DIR. The test waits for the printed next steps, runs the
// printed kubectl lines in a shell, requires the sample instance to become Ready on the local
// cluster's real node (images built and imported by `npm start`, FerretDB as its database),
// opens the printed URL through the ingress and signs in with the printed password command's
// output; then kill -9 of the operator (the cluster stays, the operator comes back) and Ctrl-C
// (the operator stops, the cluster stays until `npm run env -- down`).
//
// Deviations from a user's terminal, each for running next to other environments: the metrics
// port is a free one (two operators cannot both take 8080), the test environment's caches
// (PMS_TESTENV_CACHE, Go's) and the real ~/.npmrc are passed on, since HOME is replaced (a cold
// machine's image build runs `npm pack`, which needs the registry settings), and the state folder is
// `$PMS_TESTENV_DIR-start-e2e` (default /tmp/pms-start-e2e): never the caller's own environment,
// which the test would otherwise tear down.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually } from '../src/index.ts';
import { cacheDir, repoRoot } from '../src/paths.ts';
import { freePort } from '../src/proc.ts';

const dir = `${process.env.PMS_TESTENV_DIR ?? '/tmp/pms'}-start-e2e`;
const home = join(dir, 'home');
const cli = join(repoRoot, 'tools', 'testenv', 'src', 'cli.ts');
let child: ChildProcess;
let output = '';
let kubeconfig = '';
let namespace = '';
let instance = '';
let exportLine = '';
/** The instance reached Ready: the later steps need it (they fail fast without). */
let wasReady = false;
let signedIn: { ip: string; host: string; token: string } | undefined;

/**
 * A newcomer's terminal: their environment (proxy and CA settings, npm and Go configuration) but
 * no kubeconfig, and none of this test run's own environment (TESTENV_*, PMS_TESTENV_*), which
 * `npm start` would otherwise take for its own cluster.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const realHome = homedir();
  const own = /^(TESTENV_|PMS_TESTENV_|PMS_TEST_KUBECONFIG$|KUBECONFIG$|KUBEBUILDER_ASSETS$)/;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !own.test(k)));
  return {
    ...inherited,
    HOME: home,
    // Their npm settings (registry, proxy CA) stay where they are: in the real ~/.npmrc.
    npm_config_userconfig: process.env.npm_config_userconfig ?? join(realHome, '.npmrc'),
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

test('npm start brings up the local cluster, the images and the database, and prints the next steps', async (t) => {
  const started = Date.now();
  const deadline = started + 1_200_000;
  // A cold start builds every image (minutes); a warm one takes well under a minute.
  while (!/npm run env -- down/.test(output)) {
    assert.equal(child.exitCode, null, `npm start exited:\n${output}`);
    assert.ok(Date.now() < deadline, `no next steps after 20 min:\n${output}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  kubeconfig = /^\s+export KUBECONFIG=(\S+)$/m.exec(output)?.[1] ?? '';
  assert.ok(kubeconfig.startsWith(dir), `kubeconfig in the environment folder: ${kubeconfig}`);
  assert.match(output, /up --only kube,node,storage/);
  assert.match(
    output,
    /installed pmsbackups\.pms\.io, pmsinstances\.pms\.io, pmsrestores\.pms\.io/,
  );
  const imported = /imported into the node: (.*) \(build/.exec(output)?.[1]?.split(', ') ?? [];
  for (const image of [
    'ghcr.io/pms/pms-operator:0.1.0',
    'ghcr.io/pms/pms-backend:0.1.0',
    'ghcr.io/pms/pms-frontend:0.1.0',
    'ghcr.io/pms/pms-backup:0.1.0',
    'localhost/pms/redis:0.1.0',
    'localhost/pms/minio:0.1.0',
    'localhost/pms/ferretdb:0.1.0',
  ])
    assert.ok(imported.includes(image), `${image} imported:\n${output}`);
  assert.match(output, /database ready: FerretDB at mongodb:\/\/ferretdb\.pms-local-db\./);
  // Transient API errors while the API server initialises are one line each, never a dump.
  assert.doesNotMatch(output, /HTTP-Code:|"Headers"/);
  t.diagnostic(`next steps after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const l of output.split('\n').filter((l) => /^start: (imported|database)/.test(l)))
    t.diagnostic(l);
});

interface Container {
  image: string;
  state: { waiting?: { reason: string; message?: string } };
}
interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { phase: string; initContainerStatuses?: Container[]; containerStatuses?: Container[] };
}

/** One line per pod, for a failure message: where it runs and what its containers wait for. */
function podReport(): string {
  const pods = kubectlJson<{ items: Pod[] }>(`-n ${namespace} get pods`).items;
  return pods
    .map((p) => {
      const waiting = [
        ...(p.status.initContainerStatuses ?? []),
        ...(p.status.containerStatuses ?? []),
      ]
        .filter((c) => c.state.waiting)
        .map((c) => `${c.image}: ${c.state.waiting?.reason ?? ''}`);
      return `${p.metadata.name} ${p.status.phase} on ${p.spec.nodeName ?? '-'} ${waiting.join(', ')}`;
    })
    .join('\n');
}

const ready = () =>
  kubectlJson<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
    `-n ${namespace} get pmsinstance ${instance}`,
  ).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** A plain HTTP exchange with the ingress: the instance's host in the Host header. */
function http(
  ip: string,
  host: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; type: string; location: string; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: ip,
        port: 80,
        method,
        path,
        headers: {
          host,
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            location: String(res.headers.location ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}

test('the printed lines apply the local sample, which becomes Ready on the real node', async () => {
  const steps = output.split('\n').map((l) => l.trim());
  exportLine = steps.find((l) => l.startsWith('export KUBECONFIG=')) ?? '';
  const namespaceLine = steps.find((l) => /^kubectl create namespace /.test(l));
  const applyLine = steps.find((l) => / apply -f samples\//.test(l));
  const watchLine = steps.find((l) => / get pmsinstances -w/.test(l));
  assert.ok(exportLine && namespaceLine && applyLine && watchLine, output);
  // The local cluster's sample is the offline one; the connected one is named, not printed.
  assert.match(applyLine, /apply -f samples\/00-local\.yaml$/);
  assert.ok(
    steps.some((l) => /samples\/01-minimal\.yaml needs the public mongo, redis and minio/.test(l)),
    output,
  );
  namespace = /kubectl -n (\S+) apply/.exec(applyLine)?.[1] ?? '';
  sh(`${exportLine}\n${namespaceLine}\n${applyLine}`);
  // The namespace enforces Pod Security `restricted`: the instance's pods are admitted under it.
  assert.match(
    sh(`${exportLine}\nkubectl get namespace ${namespace} --show-labels`),
    /pod-security\.kubernetes\.io\/enforce=restricted/,
  );
  // The watch line, without -w (a test cannot wait for Ctrl-C), proves it names the instance.
  const got = sh(`${exportLine}\n${watchLine.replace(/ -w\b.*$/, '')} -o name`);
  instance = got.trim().split('/')[1] ?? '';
  assert.ok(instance, got);
  const started = Date.now();
  try {
    await eventually('the sample instance Ready=True', async () => ready(), 600_000);
  } catch (err) {
    assert.fail(`${String(err)}\npods:\n${podReport()}`);
  }
  wasReady = true;
  process.stderr.write(`# Ready ${((Date.now() - started) / 1000).toFixed(0)} s after apply\n`);
  // Every pod of the instance runs on the node (no image was missing, nothing is simulated).
  const pods = kubectlJson<{ items: Pod[] }>(`-n ${namespace} get pods`).items;
  const running = pods.filter((p) => p.status.phase === 'Running');
  assert.ok(running.length >= 5, podReport());
  for (const p of running) assert.ok(p.spec.nodeName, p.metadata.name);
});

test('the printed URL serves the sign-in page; the printed password signs in', async () => {
  assert.ok(wasReady, 'not run: the instance never became Ready');
  const url = /open (http:\/\/\S+)/.exec(output)?.[1];
  const curl = /curl -H 'Host: (\S+)' http:\/\/([\d.]+)\//.exec(output);
  const email = /Sign in as (\S+);/.exec(output)?.[1];
  const passwordLine = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /get secret \S+-admin .*base64 -d/.test(l));
  assert.ok(url && curl && email && passwordLine, output);
  const [, host = '', ip = ''] = curl;
  assert.equal(new URL(url).host, host);
  // The printed URL, through the ingress: follow the app's redirects (/ → /projects → sign-in).
  let path = new URL(url).pathname;
  // Ready comes a moment before the ingress controller has read the new Ingress (Traefik answers
  // 404 until then): a user reloads, so does the test, for a bounded minute.
  let res = await http(ip, host, 'GET', path);
  for (let i = 0; i < 30 && res.status === 404; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    res = await http(ip, host, 'GET', path);
  }
  for (let i = 0; i < 5 && res.status >= 300 && res.status < 400; i++) {
    path = new URL(res.location, url).pathname;
    res = await http(ip, host, 'GET', path);
  }
  assert.equal(res.status, 200, `${path}: ${res.body.slice(0, 500)}`);
  assert.match(res.type, /^text\/html/);
  const signIn = await http(ip, host, 'GET', '/sign-in');
  assert.equal(signIn.status, 200, signIn.body.slice(0, 500));
  assert.match(signIn.type, /^text\/html/);
  assert.match(signIn.body, /<title>Sign in/);
  // The password command's output, as a user copies it into the form.
  const password = sh(`${exportLine}\n${passwordLine}`).trim();
  assert.ok(password.length >= 12, 'a generated password');
  // Seen once in CI: a 500 with an empty body on the first login right after Ready (cause not
  // yet found, noted on issue 11). Server errors are retried for a bounded minute; anything
  // else, and a 500 that persists, fails.
  let login = await http(ip, host, 'POST', '/api/v1/auth/login', { email, password });
  for (let i = 0; i < 30 && login.status >= 500; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    login = await http(ip, host, 'POST', '/api/v1/auth/login', { email, password });
  }
  assert.equal(login.status, 200, login.body);
  const token = (JSON.parse(login.body) as { accessToken?: string }).accessToken;
  assert.ok(token, login.body);
  signedIn = { ip, host, token };
});

test('the database keeps its data when its pod is replaced (a volume, not an emptyDir)', async () => {
  assert.ok(signedIn, 'not run: no signed-in admin');
  const { ip, host, token } = signedIn;
  const made = await http(
    ip,
    host,
    'POST',
    '/api/v1/projects',
    { key: 'KEEP', name: 'Survives a restart' },
    token,
  );
  assert.ok(made.status === 200 || made.status === 201, made.body);
  const db = '-n pms-local-db';
  const before = kubectlJson<{ items: Pod[] }>(`${db} get pods -l app=ferretdb`).items;
  assert.equal(before.length, 1);
  sh(`export KUBECONFIG=${kubeconfig}; kubectl ${db} delete pod -l app=ferretdb --wait=true`);
  sh(
    `export KUBECONFIG=${kubeconfig}; kubectl ${db} rollout status deployment/ferretdb --timeout=180s`,
  );
  const after = kubectlJson<{ items: Pod[] }>(`${db} get pods -l app=ferretdb`).items;
  assert.notEqual(after[0]?.metadata.name, before[0]?.metadata.name);
  // The project, read back through the API from the new pod's database. Spaced attempts: the
  // API allows 100 requests per client per 15 minutes.
  let got = { status: 0, body: '' };
  for (let i = 0; i < 40 && got.status !== 200; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 3000));
    got = await http(ip, host, 'GET', '/api/v1/projects/KEEP', undefined, token);
  }
  assert.equal(got.status, 200, got.body);
  assert.equal((JSON.parse(got.body) as { name?: string }).name, 'Survives a restart');
});

test('kill -9 of the operator: the cluster keeps running and the operator is restarted', async () => {
  const [first] = pids();
  assert.ok(first, output);
  process.kill(first, 'SIGKILL');
  await eventually('the operator restarted', async () => pids().length >= 2, 60_000);
  assert.match(output, /operator exited \(SIGKILL\); restarting in 1 s/);
  const ns = kubectlJson<{ status: { phase: string } }>(`get namespace ${namespace}`);
  assert.equal(ns.status.phase, 'Active');
  // The restarted operator works: it reconciles the instance, which stays Ready.
  assert.ok(wasReady, 'the instance never became Ready');
  await eventually('the instance Ready after the restart', async () => ready(), 120_000);
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

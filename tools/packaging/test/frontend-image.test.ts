// The frontend image, assembled from a real `next build` exactly as app/frontend/Dockerfile's
// final stage copies it (each `COPY --from=build /src/<path> <dest>` is replayed from the
// repository into a scratch WORKDIR), then started with the image's CMD and ENV. It answers
// the HEALTHCHECK URL and renders pages while its files are read-only, running as the image's
// USER (via setpriv when the tests run as root), with only the declared scratch path
// (.next/cache) writable: what a read-only root file system with an emptyDir gives it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDockerfile } from '../src/dockerfile.ts';
import { asImageUser } from './image-user.ts';
import { repoRoot } from '../src/paths.ts';

const frontendDir = join(repoRoot, 'app', 'frontend');
const stages = parseDockerfile(readFileSync(join(frontendDir, 'Dockerfile'), 'utf8'));
const finalStage = stages.at(-1);
const buildStage = stages.find((s) => s.name === 'build');
const final = finalStage?.instructions ?? [];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(path)) {
    if (['node_modules', '.next', 'e2e'].includes(e) || e.endsWith('.test.ts')) continue;
    max = Math.max(max, newestMtime(join(path, e)));
  }
  return max;
}

/** `next build` (standalone) unless a build newer than every source exists. */
function ensureBuild(): void {
  const buildId = join(frontendDir, '.next', 'BUILD_ID');
  const server = join(frontendDir, '.next', 'standalone', 'app', 'frontend', 'server.js');
  const sources = [
    'app',
    'components',
    'lib',
    'public',
    'next.config.ts',
    'package.json',
    'tsconfig.json',
  ]
    .map((p) => join(frontendDir, p))
    .filter(existsSync);
  const newest = Math.max(...sources.map(newestMtime));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newest && existsSync(server)) return;
  // Another build of the same tree (the frontend's own e2e tests, in a shared working copy)
  // holds Next's lock: wait for it and use its result.
  const deadline = Date.now() + 900_000;
  for (;;) {
    const fresh = existsSync(buildId) && statSync(buildId).mtimeMs > newest && existsSync(server);
    if (fresh) return;
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules/next/dist/bin/next'), 'build'],
      {
        cwd: frontendDir,
        encoding: 'utf8',
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
        timeout: 900_000,
      },
    );
    if (r.status === 0) return;
    const locked = /Another next build process is already running/.test(`${r.stdout}${r.stderr}`);
    assert.ok(locked && Date.now() < deadline, `next build failed:\n${r.stdout}${r.stderr}`);
    spawnSync('sleep', ['5']);
  }
}

/** Every file under `dir` with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.set(relative(dir, p), `${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

describe('the frontend image', () => {
  const root = mkdtempSync(join(tmpdir(), 'pms-frontend-image-'));
  chmodSync(root, 0o755); // the image's USER must reach /app
  let workdir = '';
  let child: ChildProcess | undefined;
  let output = '';

  before(() => {
    ensureBuild();
    // Replay the final stage: WORKDIR and COPY --from=build, in order.
    let cwd = '/';
    for (const ins of final) {
      if (ins.keyword === 'WORKDIR')
        cwd = ins.args.startsWith('/') ? ins.args : join(cwd, ins.args);
      if (ins.keyword !== 'COPY') continue;
      const parts = ins.args.split(/\s+/);
      assert.equal(
        parts[0],
        '--from=build',
        `final-stage COPY comes from the build stage: ${ins.args}`,
      );
      const src = parts[1] ?? '';
      const dest = parts[2] ?? '';
      assert.ok(src.startsWith('/src/') && dest, ins.args);
      const from = join(repoRoot, src.slice('/src/'.length));
      const to = join(root, dest.startsWith('/') ? dest : join(cwd, dest));
      if (!existsSync(from)) {
        // Only what the build stage creates itself may be missing from the repository.
        const created = buildStage?.instructions.some(
          (i) => i.keyword === 'RUN' && i.args.includes(`mkdir -p ${src.slice('/src/'.length)}`),
        );
        assert.ok(created, `${src} exists after the build`);
        mkdirSync(to, { recursive: true });
        continue;
      }
      cpSync(from, to, { recursive: true });
    }
    workdir = join(root, cwd);
  });

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    spawnSync('chmod', ['-R', 'u+w', root]);
    rmSync(root, { recursive: true, force: true });
  });

  it('starts with the image CMD as its USER on a read-only tree and answers the HEALTHCHECK URL', async (t) => {
    const cmd = JSON.parse(
      final.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '[]',
    ) as string[];
    assert.equal(cmd[0], 'node');
    const env: Record<string, string> = Object.fromEntries(
      final
        .filter((i) => i.keyword === 'ENV')
        .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? ''])),
    );
    assert.equal(env.PORT, '3000');
    const port = await freePort();
    // The image's file system: everything read-only but .next/cache (an emptyDir).
    const cache = join(workdir, '.next', 'cache');
    mkdirSync(cache, { recursive: true });
    assert.equal(spawnSync('chmod', ['-R', 'a-w', workdir]).status, 0);
    assert.equal(spawnSync('chmod', ['a+rwx', cache]).status, 0);
    const user =
      final
        .filter((i) => i.keyword === 'USER')
        .at(-1)
        ?.args.trim() ?? '';
    // The image ships its own node: a copy beside the tree keeps the run independent of where
    // the checkout lives (its .tools may sit under a private home directory).
    const node = join(root, 'node');
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
    const run = asImageUser(user, [node, ...cmd.slice(1)], [join(workdir, 'server.js')]);
    if (run.fallback) t.diagnostic(`runs as the current user: ${run.fallback}`);
    const before = snapshot(workdir);
    child = spawn(run.argv[0] ?? '', run.argv.slice(1), {
      cwd: workdir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: '/tmp',
        ...env,
        PORT: String(port),
        HOSTNAME: '127.0.0.1',
        BACKEND_URL: 'http://127.0.0.1:9',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

    const hc = final.filter((i) => i.keyword === 'HEALTHCHECK').at(-1)?.args ?? '';
    const url = /fetch\('([^']+)'\)/.exec(hc)?.[1]?.replace('${PORT}', String(port));
    assert.ok(url, `HEALTHCHECK fetches a URL: ${hc}`);
    let status = 0;
    const deadline = Date.now() + 60_000;
    while (status !== 200 && Date.now() < deadline) {
      assert.equal(child.exitCode, null, `server.js exited:\n${output}`);
      status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 200, `GET ${url}:\n${output}`);
    // Page renders too (they may redirect to the login page; they must not fail).
    for (const path of ['/', '/login', '/projects']) {
      const page = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: 'manual' });
      assert.ok(page.status < 500, `GET ${path} answered ${page.status}:\n${output}`);
    }
    assert.doesNotMatch(output, /EROFS|EACCES|EPERM/, 'no write was refused');

    const afterRun = snapshot(workdir);
    const written = [...afterRun].filter(([p, v]) => before.get(p) !== v).map(([p]) => p);
    assert.deepEqual(
      written.filter((p) => !p.startsWith(join('.next', 'cache'))),
      [],
      'writes only to .next/cache',
    );
  });
});

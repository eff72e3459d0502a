// The backend image's two commands as the image runs them: TypeScript compiled with
// app/backend/tsconfig.build.json, the Dockerfile's CMD (the API) and the worker command the
// compose stack and the operator use, with the production compose environment (its service
// addresses swapped for the test environment's MongoDB, Redis and S3), as the image's USER
// (via setpriv when the tests run as root, so the code tree is read-only for them). The API
// answers the Dockerfile's HEALTHCHECK URL; both stop cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { testEnv } from '@pms/testenv';
import { parseDockerfile } from '../src/dockerfile.ts';
import { repoRoot } from '../src/paths.ts';
import { parsed, production, releaseEnv } from './compose.ts';
import { exitCode } from './exit-code.ts';
import { asImageUser } from './image-user.ts';

const backendDir = join(repoRoot, 'app', 'backend');
const stages = parseDockerfile(readFileSync(join(backendDir, 'Dockerfile'), 'utf8'));
const final = stages.at(-1)?.instructions ?? [];
const cmd = JSON.parse(final.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '[]') as string[];
const healthcheck = final.filter((i) => i.keyword === 'HEALTHCHECK').at(-1)?.args ?? '';
const imageEnv = Object.fromEntries(
  final
    .filter((i) => i.keyword === 'ENV')
    .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? ''])),
);

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

describe('the backend image commands', () => {
  mkdirSync(join(backendDir, 'dist'), { recursive: true });
  // The image's WORKDIR in small: package.json beside dist/ (the backend reads its version
  // from ../../package.json of dist/migrations), below app/backend so node_modules resolve.
  const workDir = mkdtempSync(join(backendDir, 'dist', 'packaging-test-'));
  const outDir = join(workDir, 'dist');
  mkdirSync(outDir);
  copyFileSync(join(backendDir, 'package.json'), join(workDir, 'package.json'));
  for (const d of [workDir, outDir]) chmodSync(d, 0o755); // readable for the image's USER
  const user =
    final
      .filter((i) => i.keyword === 'USER')
      .at(-1)
      ?.args.trim() ?? '';
  const children: { name: string; child: ChildProcess; output: () => string }[] = [];
  const fallbacks: string[] = [];
  let port = 0;

  function start(name: string, args: string[], env: Record<string, string>) {
    // The image's paths are relative to its WORKDIR (app/backend); dist/ is our outDir.
    const mapped = args.map((a) =>
      a.startsWith('dist/') ? join(outDir, a.slice('dist/'.length)) : a,
    );
    assert.equal(mapped[0], 'node');
    const run = asImageUser(
      user,
      [process.execPath, ...mapped.slice(1)],
      [...mapped.slice(1), join(repoRoot, 'node_modules', 'express', 'package.json')],
    );
    if (run.fallback) fallbacks.push(run.fallback);
    let out = '';
    const child = spawn(run.argv[0] ?? '', run.argv.slice(1), {
      cwd: backendDir,
      env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    children.push({ name, child, output: () => out });
    return children.at(-1);
  }

  let env: Record<string, string> = {};

  before(async () => {
    const tsc = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules/typescript/bin/tsc'),
        '-p',
        'app/backend/tsconfig.build.json',
        '--outDir',
        outDir,
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(
      tsc.status,
      0,
      `tsc -p app/backend/tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`,
    );
    const t = testEnv('mongodb', 'redis', 's3');
    port = await freePort();
    const compose = parsed(production, releaseEnv).services.backend?.environment ?? {};
    const db = `pkg_${process.pid}`;
    env = {
      ...imageEnv,
      ...compose,
      PORT: String(port),
      MONGODB_URI: `${t.mongodbUri.replace(/\/?$/, '/')}${db}`,
      MONGODB_DB: db,
      REDIS_URL: t.redisUrl,
      REDIS_PASSWORD: '',
      S3_ENDPOINT: t.s3.endpoint,
      S3_REGION: t.s3.region,
      S3_ACCESS_KEY: t.s3.accessKey,
      S3_SECRET_KEY: t.s3.secretKey,
      S3_BUCKET: `pkg-${process.pid}`,
    };
  });

  after(() => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  });

  it('the API (the Dockerfile CMD) answers the HEALTHCHECK URL', async () => {
    assert.deepEqual(cmd, ['node', 'dist/main.js']);
    const url = /fetch\('([^']+)'\)/.exec(healthcheck)?.[1];
    assert.ok(url, `HEALTHCHECK fetches a URL: ${healthcheck}`);
    assert.equal(imageEnv.PORT, '4000');
    const api = start('api', cmd, env);
    const target = url.replace('${PORT}', String(port));
    const deadline = Date.now() + 60_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      assert.equal(api?.child.exitCode, null, `the API exited:\n${api?.output()}`);
      status = await fetch(target, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 200, `GET ${target} (output:\n${api?.output()})`);
    assert.doesNotMatch(api?.output() ?? '', /EACCES|EROFS/, 'no write was refused');
  });

  it('the worker (node dist/worker.js) keeps running', async () => {
    const command = parsed(production, releaseEnv).services.worker?.command ?? [];
    assert.deepEqual(command, ['node', 'dist/worker.js']);
    const worker = start('worker', command, env);
    assert.ok(worker);
    // Started (it logs so once connected, right before it installs its signal handlers) ...
    const deadline = Date.now() + 60_000;
    while (!/worker started/.test(worker.output()) && Date.now() < deadline) {
      assert.equal(worker.child.exitCode, null, `the worker exited:\n${worker.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(worker.output(), /worker started/);
    // ... and still running a while later.
    assert.equal(
      await exitCode(worker.child, 3000),
      'timeout',
      `the worker exited:\n${worker.output()}`,
    );
  });

  it('both stop cleanly on SIGTERM', async (t) => {
    for (const f of new Set(fallbacks)) t.diagnostic(`ran as the current user: ${f}`);
    assert.equal(children.length, 2);
    for (const c of children) {
      c.child.kill('SIGTERM');
      const code = await exitCode(c.child, 30_000);
      assert.equal(code, 0, `${c.name} after SIGTERM:\n${c.output().slice(-2000)}`);
    }
  });

  it('`make seed` runs in the release image: the compiled seed loads the demo workspace', async () => {
    const make = spawnSync(
      'make',
      ['-n', '-s', '-C', join(repoRoot, 'app'), 'seed', 'ENV=production'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(make.status, 0, make.stderr);
    assert.match(make.stdout, /exec -T backend sh -c .*node dist\/seed\/main\.js/);
    const seed = start('seed', ['node', 'dist/seed/main.js', '--tasks=3'], {
      ...env,
      MONGODB_DB: `${env.MONGODB_DB}_seed`,
      MONGODB_URI: `${env.MONGODB_URI}_seed`,
    });
    assert.ok(seed);
    const code = await exitCode(seed.child, 120_000);
    assert.equal(code, 0, `the seed exited ${code}:\n${seed.output()}`);
    assert.match(seed.output(), /seeded \d+ tasks/);
    const client = await new mongoose.mongo.MongoClient(env.MONGODB_URI ?? '').connect();
    try {
      await client.db(`${env.MONGODB_DB}_seed`).dropDatabase();
    } finally {
      await client.close();
    }
  });
});

// End-to-end harness: the REAL backend (node app/backend/src/main.ts) against the test services
// from @pms/testenv, the REAL Next standalone server in front of it, and Debian's Chromium.
// Every run uses its own database and bucket and removes them on close.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { afterEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import mongoose from 'mongoose';
import { chromium, type Browser } from 'playwright-core';
import { testEnv } from '@pms/testenv';
import { launchOptions } from '@pms/testenv/browser';
import { watchCsp } from './csp-watch.ts';

export const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(frontendDir, '..', '..');
export const screenshotDir = join(frontendDir, 'e2e', 'screenshots');
export const ADMIN = {
  email: 'admin@example.com',
  password: 'admin-password-1',
  name: 'Ada Admin',
};

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (
      entry === 'node_modules' ||
      entry === '.next' ||
      entry === 'e2e' ||
      entry.endsWith('.test.ts')
    )
      continue;
    max = Math.max(max, newestMtime(join(path, entry)));
  }
  return max;
}

/** Runs `next build` when there is no build or a source file is newer than it. */
export function ensureBuild(): void {
  const buildId = join(frontendDir, '.next', 'BUILD_ID');
  const sources = [
    'app',
    'components',
    'lib',
    'public',
    'next.config.ts',
    'proxy.ts',
    'package.json',
    'tsconfig.json',
  ]
    .map((p) => join(frontendDir, p))
    .filter(existsSync);
  const newest = Math.max(...sources.map(newestMtime));
  const fresh = () =>
    existsSync(buildId) && statSync(buildId).mtimeMs > newest && existsSync(standaloneServer());
  // Other workspaces' tests may build the same tree at the same time (Next holds a lock): wait
  // for that build and use its result.
  const deadline = Date.now() + 900_000;
  while (!fresh()) {
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'],
      {
        cwd: frontendDir,
        encoding: 'utf8',
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
        timeout: 900_000,
      },
    );
    if (r.status === 0) return;
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (!/Another next build process is already running/.test(out) || Date.now() > deadline) {
      throw new Error(`next build failed (exit ${r.status}):\n${out}`);
    }
    spawnSync('sleep', ['5']);
  }
}

function standaloneServer(): string {
  return join(frontendDir, '.next', 'standalone', 'app', 'frontend', 'server.js');
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

async function waitFor(
  url: string,
  proc: ChildProcess,
  name: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with code ${proc.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become ready at ${url} within ${timeoutMs} ms`);
}

function start(
  name: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): { proc: ChildProcess; logs: string[] } {
  const logs: string[] = [];
  const proc = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    logs.push(d.toString());
    if (logs.length > 200) logs.shift();
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${d}`);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { proc, logs };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

/**
 * Prints the stack's recent backend and frontend output after a failed test: CI keeps only the
 * test runner's output, and a browser-side failure is often explained by what the servers said.
 * Call inside the suite's `describe`.
 */
export function logsOnFailure(stack: () => Stack | undefined): void {
  afterEach((t) => {
    // `passed` is on the test's context at run time (Node >= 21.7); the hook's type omits it.
    if (!('passed' in t) || t.passed !== false) return;
    const logs = stack()?.logs() ?? '(the stack did not start)';
    console.error(`--- stack output up to the failure of "${t.name}" ---\n${logs}\n---`);
  });
}

export interface Stack {
  baseUrl: string;
  backendUrl: string;
  browser: Browser;
  /** CSP violations seen by any page so far; close() fails when there are any. */
  cspViolations: string[];
  /** Calls the backend directly (for seeding); returns parsed JSON. */
  api<T>(method: string, path: string, body?: unknown, token?: string): Promise<T>;
  login(email: string, password: string): Promise<string>;
  logs(): string;
  /** Stops the backend (to check how the gateway and the app behave without it). */
  stopBackend(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(
  name: string,
  backendOverrides: Record<string, string> = {},
): Promise<Stack> {
  const env = testEnv('mongodb', 'redis', 's3', 'chromium');
  ensureBuild();
  const id = `${name}-${randomBytes(3).toString('hex')}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const dbName = `fe_${id.replace(/-/g, '_')}`;
  const bucket = `fe-${id}`;
  const [backendPort, frontendPort] = [await freePort(), await freePort()];
  const backendEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PORT: String(backendPort),
    MONGODB_URI: env.mongodbUri,
    MONGODB_DB: dbName,
    REDIS_URL: env.redisUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    BCRYPT_ROUNDS: '4',
    S3_ENDPOINT: env.s3.endpoint,
    S3_REGION: env.s3.region,
    S3_ACCESS_KEY: env.s3.accessKey,
    S3_SECRET_KEY: env.s3.secretKey,
    S3_BUCKET: bucket,
    S3_USE_PATH_STYLE: 'true',
    RATE_LIMIT_MAX: '100000',
    LOGIN_RATE_LIMIT_MAX: '1000',
    QUEUE_PREFIX: `fe-${id}`,
    // Rate-limit budgets, caches and sessions live in Redis under this prefix: each stack gets
    // its own, so the suites of one run (all from 127.0.0.1) do not spend one shared auth budget.
    REDIS_KEY_PREFIX: `fe-${id}:`,
    ENABLE_REGISTRATION: 'true',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ADMIN_NAME: ADMIN.name,
    FRONTEND_URL: `http://127.0.0.1:${frontendPort}`,
    ...backendOverrides,
  };
  const backend = start(
    'backend',
    [join(repoRoot, 'app', 'backend', 'src', 'main.ts')],
    backendEnv,
    join(repoRoot, 'app', 'backend'),
  );
  const backendUrl = `http://127.0.0.1:${backendPort}`;

  // The standalone server serves static assets from next to itself (as the container image does).
  const standaloneDir = dirname(standaloneServer());
  const staticTarget = join(standaloneDir, '.next', 'static');
  mkdirSync(dirname(staticTarget), { recursive: true });
  cpSync(join(frontendDir, '.next', 'static'), staticTarget, { recursive: true });
  const frontend = start(
    'frontend',
    [standaloneServer()],
    {
      NODE_ENV: 'production',
      PORT: String(frontendPort),
      HOSTNAME: '127.0.0.1',
      BACKEND_URL: backendUrl,
      NEXT_TELEMETRY_DISABLED: '1',
    },
    standaloneDir,
  );
  const baseUrl = `http://127.0.0.1:${frontendPort}`;

  const cleanup = async () => {
    await Promise.all([stop(frontend.proc), stop(backend.proc)]);
    const conn = await mongoose.createConnection(env.mongodbUri, { dbName }).asPromise();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    const s3 = new S3Client({
      endpoint: env.s3.endpoint,
      region: env.s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: env.s3.accessKey, secretAccessKey: env.s3.secretKey },
    });
    try {
      const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      const objects = (list.Contents ?? []).map((o) => ({ Key: o.Key ?? '' }));
      if (objects.length)
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch {
      // bucket never created
    } finally {
      s3.destroy();
    }
  };

  let browser: Browser;
  const cspViolations: string[] = [];
  try {
    await waitFor(`${backendUrl}/health`, backend.proc, 'backend');
    await waitFor(`${baseUrl}/api/health`, frontend.proc, 'frontend');
    browser = await chromium.launch(launchOptions(env.chromiumPath));
    watchCsp(browser, cspViolations);
  } catch (err) {
    const out = `backend:\n${backend.logs.join('')}\nfrontend:\n${frontend.logs.join('')}`;
    await cleanup();
    throw new Error(`${(err as Error).message}\n${out}`);
  }

  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> => {
    const r = await fetch(`${backendUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  mkdirSync(screenshotDir, { recursive: true });
  return {
    baseUrl,
    backendUrl,
    browser,
    cspViolations,
    api,
    async login(email, password) {
      const r = await api<{ accessToken: string }>('POST', '/auth/login', { email, password });
      return r.accessToken;
    },
    stopBackend: () => stop(backend.proc),
    logs: () => `backend:\n${backend.logs.join('')}\nfrontend:\n${frontend.logs.join('')}`,
    async close() {
      await browser.close().catch(() => undefined);
      await cleanup();
      if (cspViolations.length > 0) {
        throw new Error(`Content-Security-Policy violations:\n${cspViolations.join('\n')}`);
      }
    },
  };
}

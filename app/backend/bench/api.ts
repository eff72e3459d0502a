// `npm run bench:api`: autocannon against the real API (child processes running src/main.ts, one
// with the Redis read cache and one without) on seeded data (1,200 tasks), at 1, 8 and 32
// connections, each scenario next to a baseline measured in the same run: a bare Node HTTP
// server running the same MongoDB queries with the driver alone (bench/baseline.ts). Services
// (FerretDB on PostgreSQL, Redis, MinIO) come from @pms/testenv.
// Results: <repo>/bench/results/api-<timestamp>.{json,md}.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { testEnv } from '@pms/testenv';
import { connectMongo, syncIndexes } from '../src/platform/db.ts';
import { loadConfig } from '../src/platform/config.ts';
import '../src/runtime.ts';
import { seed } from '../src/seed/seed.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const duration = Number(process.env.BENCH_DURATION ?? 10);
const levels = (process.env.BENCH_CONNECTIONS ?? '1,8,32').split(',').map(Number);
// A first pass warms caches and connection pools; only the second pass is reported.
const warmup = Number(process.env.BENCH_WARMUP ?? 1);
const LOGIN_CONNECTIONS = 4;
const LOGIN_SCENARIO = 'POST login (argon2id m=19 MiB, t=2, p=1)';
const BENCH_TITLE = 'bench task';

const te = testEnv('mongodb', 'redis', 's3');
const id = randomBytes(3).toString('hex');
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  MONGODB_URI: te.mongodbUri,
  // A fixed database, re-seeded each run (not dropped at the end, so it can be inspected).
  MONGODB_DB: 'bench_api',
  REDIS_URL: te.redisUrl,
  S3_ENDPOINT: te.s3.endpoint,
  S3_REGION: te.s3.region,
  S3_ACCESS_KEY: te.s3.accessKey,
  S3_SECRET_KEY: te.s3.secretKey,
  S3_BUCKET: `bench-${id}`,
  JWT_SECRET: randomBytes(32).toString('hex'),
  RATE_LIMIT_MAX: '100000000',
  LOGIN_RATE_LIMIT_MAX: '100000000',
  RATE_LIMIT_WRITE_MAX: '100000000',
  RATE_LIMIT_AUTH_MAX: '100000000',
  QUEUE_PREFIX: `bench-${id}`,
  ENABLE_NOTIFICATIONS: 'false',
};
const PASSWORD = 'bench-password';

function start(
  script: string,
  port: number,
  extra: Record<string, string> = {},
): Promise<ChildProcess> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [script], {
      env: { ...env, ...extra, PORT: String(port) },
      cwd: resolve(here, '..'),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('exit', (code) => rej(new Error(`${script} exited ${code}`)));
    const poll = async () => {
      for (let i = 0; i < 100; i++) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/`);
          await r.arrayBuffer();
          return res(child);
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      rej(new Error(`${script} did not start`));
    };
    void poll();
  });
}

interface Row {
  connections: number;
  scenario: string;
  /** The baseline row this one is compared with (same queries, bare driver). */
  baseline?: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

/**
 * Waits until the servers have finished the previous scenario's backlog: autocannon stops
 * sending at the end of its window, but requests already queued in the API (or in FerretDB)
 * still run and would be billed to the next scenario. Quiet = three probes in a row that read
 * the database in under 50 ms (or 60 s, whichever comes first).
 */
async function settle(probeUrl: string): Promise<void> {
  const until = Date.now() + 60_000;
  let quiet = 0;
  while (quiet < 3 && Date.now() < until) {
    const t = performance.now();
    await fetch(probeUrl).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );
    quiet = performance.now() - t < 50 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let probe = '';
/** Undoes a create scenario (tasks, their activity and search entries) so that every scenario
 * starts from the seeded data: the create queries read the last rank of a column, which grows
 * with every task a previous scenario added. */
async function removeCreated(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const created = await db
    .collection('tasks')
    .find({ title: BENCH_TITLE }, { projection: { _id: 1 } })
    .toArray();
  const ids = created.map((t) => t._id);
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    await db.collection('tasks').deleteMany({ _id: { $in: batch } });
    await db.collection('activities').deleteMany({ taskId: { $in: batch } });
    await db.collection('searchentries').deleteMany({ _id: { $in: batch } });
  }
}

async function run(
  connections: number,
  scenario: string,
  opts: autocannon.Options,
  baseline?: string,
): Promise<Row> {
  await settle(probe);
  if (warmup > 0) await autocannon({ connections, duration: warmup, ...opts });
  const r = await autocannon({ connections, duration, timeout: 30, ...opts });
  if (opts.method === 'POST' && scenario !== LOGIN_SCENARIO) {
    await settle(probe);
    await removeCreated();
  }
  const row: Row = {
    connections,
    scenario,
    ...(baseline ? { baseline } : {}),
    reqPerSec: Math.round(r.requests.average * 10) / 10,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
  };
  console.log(
    `${String(connections).padStart(2)} conn  ${scenario.padEnd(34)} ${String(row.reqPerSec).padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  non2xx ${row.non2xx}  errors ${row.errors}`,
  );
  return row;
}

const config = loadConfig(env);
await connectMongo(config);
await syncIndexes();
console.log('seeding…');
await seed({
  password: PASSWORD,
  tasksPerProject: 400,
  reset: true,
});

const port = 14000 + Math.floor(Math.random() * 1000);
const ports = { cached: port, uncached: port + 1, base: port + 2 };
const cached = await start('src/main.ts', ports.cached);
const uncached = await start('src/main.ts', ports.uncached, { CACHE_ENABLED: 'false' });
const base = await start('bench/baseline.ts', ports.base);
const rows: Row[] = [];
const loadBefore = loadavg();
try {
  const api = (p: number) => `http://127.0.0.1:${p}/api/v1`;
  const login = await fetch(`${api(ports.cached)}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'grace@demo.pms.local', password: PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  const b = `http://127.0.0.1:${ports.base}`;
  const list = '/projects/WEB/tasks?priority=high,urgent&limit=50';
  const createBody = JSON.stringify({ title: BENCH_TITLE, priority: 'low' });
  probe = `${b}/states`;
  for (const c of levels) {
    rows.push(await run(c, 'baseline: list query', { url: `${b}/list` }));
    rows.push(
      await run(
        c,
        'GET list, cache off',
        { url: `${api(ports.uncached)}${list}`, headers: auth },
        'baseline: list query',
      ),
    );
    rows.push(
      await run(
        c,
        'GET list, cache on',
        { url: `${api(ports.cached)}${list}`, headers: auth },
        'baseline: list query',
      ),
    );
    rows.push(await run(c, 'baseline: board queries', { url: `${b}/board` }));
    rows.push(
      await run(
        c,
        'GET board, cache off',
        { url: `${api(ports.uncached)}/projects/WEB/board`, headers: auth },
        'baseline: board queries',
      ),
    );
    rows.push(
      await run(
        c,
        'GET board, cache on',
        { url: `${api(ports.cached)}/projects/WEB/board`, headers: auth },
        'baseline: board queries',
      ),
    );
    rows.push(
      await run(c, 'baseline: create queries', { url: `${b}/create`, method: 'POST', body: '{}' }),
    );
    rows.push(
      await run(
        c,
        'POST task',
        {
          url: `${api(ports.cached)}/projects/OPS/tasks`,
          method: 'POST',
          headers: auth,
          body: createBody,
        },
        'baseline: create queries',
      ),
    );
  }
  rows.push(
    await run(LOGIN_CONNECTIONS, LOGIN_SCENARIO, {
      url: `${api(ports.cached)}/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alan@demo.pms.local', password: PASSWORD }),
    }),
  );
} finally {
  for (const child of [cached, uncached, base]) {
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }
}

const ratio = (r: Row): number | undefined => {
  const base = rows.find((x) => x.connections === r.connections && x.scenario === r.baseline);
  return base && base.reqPerSec > 0 && r.requests > 0 ? r.reqPerSec / base.reqPerSec : undefined;
};
const at8 = (scenario: string) => rows.find((r) => r.connections === 8 && r.scenario === scenario);
const goal = (scenario: string, ok: (r: Row) => boolean, text: string) => {
  const r = at8(scenario) ?? rows.find((x) => x.scenario === scenario);
  // A window in which no request completed measured nothing (not even a failure to meet it).
  const verdict =
    !r || r.requests === 0 ? 'not measured (no request completed)' : ok(r) ? 'met' : 'not met';
  return `| ${text} | ${verdict} |`;
};
const ratioAtLeast = (min: number) => (r: Row) => (ratio(r) ?? 0) >= min;

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = join(repo, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavgBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
  loadavgAfter: loadavg().map((l) => Math.round(l * 100) / 100),
  duration,
  levels,
  database: 'FerretDB v1 on PostgreSQL (@pms/testenv)',
};
writeFileSync(
  join(outDir, `api-${stamp}.json`),
  `${JSON.stringify({ meta, rows: rows.map((r) => ({ ...r, ratio: ratio(r) })) }, null, 2)}\n`,
);
const fmt = (x: number | undefined) => (x === undefined ? '' : `${x.toFixed(2)}x`);
const md = [
  `# API benchmark ${meta.date}`,
  '',
  `Node ${meta.node}, ${meta.cpus} CPUs, ${duration} s per scenario after ${warmup} s of warm-up, ${meta.database}, 1,200 seeded tasks (400 per project). Load average before/after: ${meta.loadavgBefore.join(' ')} / ${meta.loadavgAfter.join(' ')} (other work on the machine counts).`,
  '',
  '| connections | scenario | req/s | vs baseline | p50 ms | p99 ms | non-2xx | errors/timeouts |',
  '|---:|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) =>
    r.requests === 0
      ? `| ${r.connections} | ${r.scenario} | no request completed in ${duration} s | | | | | ${r.errors} |`
      : `| ${r.connections} | ${r.scenario} | ${r.reqPerSec} | ${fmt(ratio(r))} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`,
  ),
  '',
  '| goal (issue 14) | this run |',
  '|---|---|',
  goal(
    'GET list, cache off',
    ratioAtLeast(0.6),
    'uncached list >= 60 % of the bare driver at 8 connections',
  ),
  goal(
    'GET board, cache off',
    ratioAtLeast(0.6),
    'uncached board >= 60 % of the bare driver at 8 connections',
  ),
  goal('POST task', ratioAtLeast(0.6), 'create >= 60 % of the bare driver at 8 connections'),
  goal('GET list, cache on', (r) => r.p99 < 50, 'cached list p99 < 50 ms (8 connections)'),
  goal('GET board, cache on', (r) => r.p99 < 50, 'cached board p99 < 50 ms (8 connections)'),
  goal(
    LOGIN_SCENARIO,
    (r) => r.p50 < 100,
    `login p50 < 100 ms at ${LOGIN_CONNECTIONS} parallel logins`,
  ),
  '',
  'Each API row is compared with the baseline row of the same connection count: a bare Node HTTP',
  'server running the same database queries with the driver alone (no auth, validation, cache,',
  'activity event or mongoose). "cache off" is a second API process with CACHE_ENABLED=false;',
  '"POST task" also bumps the cache version and publishes the project event (Redis).',
  '',
].join('\n');
writeFileSync(join(outDir, `api-${stamp}.md`), md);
console.log(md);
console.log(`results in bench/results/api-${stamp}.{json,md}`);
process.exit(0);

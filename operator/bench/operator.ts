// `npm run bench:operator`: apply N PmsInstances at once (N = 10, 100, 300 by default) and
// measure, for the real operator process (the shipped bundle by default, talking to the API
// server through a counting proxy):
//   - seconds until every instance reports Ready,
//   - API requests per instance (watches included) until then,
//   - write requests during a steady state (default 60 s; the target is 0),
//   - the operator's peak RSS (VmHWM).
// Baseline in the same run: the same pre-rendered children created directly with a bulk raw
// client (64 requests in flight), and the time until their workloads are ready: the floor the
// API server, scheduler and kwok allow.
// The local cluster has 3 kwok nodes of 110 pods, a /24 service range and no volume
// provisioner, so the benchmark adds kwok nodes sized for N and a /16 ServiceCIDR, and binds
// each pending PVC of its namespaces to a hostPath PV (all removed at the end).
//
// Options: --sizes 10,100,300  --steady-seconds 60  --timeout-seconds <s>  --concurrency 64
//          --resync 15s (the operator's RESYNC_PERIOD during the run)
//          --no-baseline (the operator alone)
//          --entry bundle|source (bundle: dist/operator.mjs with the Deployment's memory settings,
//          as the image runs it; source: node src/main.ts)
//          --node-flags='<flags>' (more flags on the operator's node command line)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { installCrdDir, testEnv } from '@pms/testenv';
import { parseInstance } from '../src/api/spec.ts';
import { renderChildren, renderSecrets } from '../src/render/index.ts';
import { OWNED_KINDS } from '../src/controller/owned.ts';
import { rawClient, pool } from './kube-raw.ts';
import type { RawClient } from './kube-raw.ts';
import { startBenchProxy } from './counting-proxy.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,100,300' },
    'steady-seconds': { type: 'string', default: '60' },
    // Default: the larger of 900 s and 1.5 s per instance, and for the operator also three
    // times the baseline's time to ready (at N = 1,000 the baseline alone takes ~965 s here).
    'timeout-seconds': { type: 'string' },
    concurrency: { type: 'string', default: '64' },
    // The operator's RESYNC_PERIOD in the run: short, so that in the steady-state window every
    // instance is reconciled several times and "0 writes" means a reconcile writes nothing.
    resync: { type: 'string', default: '15s' },
    // What runs: `bundle` (default) is what the image ships, dist/operator.mjs with the
    // Deployment's NODE_OPTIONS; `source` is `node src/main.ts` (type stripping, every module).
    entry: { type: 'string', default: 'bundle' },
    // --no-baseline: the operator only (memory experiments); the report's ratios say n/a.
    baseline: { type: 'boolean', default: true },
    // --node-flags='...': more flags on the operator's node command line (experiments, e.g.
    // `--heapsnapshot-signal=SIGUSR2` or V8 GC flags NODE_OPTIONS does not accept).
    'node-flags': { type: 'string', default: '' },
  },
  allowNegative: true,
});
const sizes = (args.sizes ?? '')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const steadyMs = Number(args['steady-seconds']) * 1000;
/** How long to wait for N instances (or the baseline's workloads) to become ready. */
function timeoutMsFor(n: number, baselineSeconds = NaN): number {
  if (args['timeout-seconds']) return Number(args['timeout-seconds']) * 1000;
  const fromBaseline = Number.isFinite(baselineSeconds) ? 3 * baselineSeconds : 0;
  return Math.max(900, 1.5 * n, fromBaseline) * 1000;
}
const concurrency = Number(args.concurrency);
const resync = args.resync ?? '15s';
const entry = args.entry === 'source' ? 'source' : 'bundle';

const runId = randomBytes(3).toString('hex');
const log = (msg: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const pluralOf = new Map(OWNED_KINDS.map((k) => [k.kind, k.plural]));
function collection(apiVersion: string, kind: string, namespace: string): string {
  const plural = pluralOf.get(kind);
  if (!plural) throw new Error(`no plural for ${kind}`);
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${root}/namespaces/${namespace}/${plural}`;
}

async function must(c: RawClient, method: string, path: string, body?: unknown, ct?: string) {
  for (let attempt = 0; ; attempt++) {
    const r = await c.request(method, path, body, ct);
    if (r.status < 300 || (method === 'POST' && r.status === 409)) return r.body;
    if ((r.status === 429 || r.status >= 500) && attempt < 5) {
      await sleep(200 * 2 ** attempt);
      continue;
    }
    throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
}

function instanceBody(ns: string, name: string) {
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name, namespace: ns },
    spec: { version: '0.1.0', host: `${name}.${ns}.bench.example.com` },
  };
}

interface Item {
  metadata?: { name?: string; namespace?: string; uid?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}
const items = (body: unknown) => ((body as { items?: Item[] }).items ?? []) as Item[];

/** Binds every Pending PVC in namespaces with `prefix` to a new hostPath PV. */
class PvBinder {
  private timer: NodeJS.Timeout | undefined;
  private readonly done = new Set<string>();
  readonly pvs: string[] = [];
  private busy = false;
  private readonly admin: RawClient;
  private readonly prefix: string;
  constructor(admin: RawClient, prefix: string) {
    this.admin = admin;
    this.prefix = prefix;
  }
  start() {
    this.timer = setInterval(() => void this.tick(), 1000);
  }
  private async tick() {
    if (this.busy) return;
    this.busy = true;
    try {
      const pvcs = items(await must(this.admin, 'GET', '/api/v1/persistentvolumeclaims'));
      const pending = pvcs.filter(
        (p) =>
          p.metadata?.namespace?.startsWith(this.prefix) &&
          (p.status as { phase?: string })?.phase === 'Pending' &&
          !this.done.has(p.metadata.uid ?? ''),
      );
      await pool(pending, 16, async (p) => {
        const name = `bench-pv-${randomBytes(6).toString('hex')}`;
        const size =
          (p.spec?.resources as { requests?: { storage?: string } })?.requests?.storage ?? '10Gi';
        await must(this.admin, 'POST', '/api/v1/persistentvolumes', {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name, labels: { 'pms.io/bench': runId } },
          spec: {
            capacity: { storage: size },
            accessModes: ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Retain',
            hostPath: { path: `/tmp/${name}` },
            claimRef: {
              namespace: p.metadata?.namespace,
              name: p.metadata?.name,
              uid: p.metadata?.uid,
            },
          },
        });
        this.done.add(p.metadata?.uid ?? '');
        this.pvs.push(name);
        created.pvs.add(name);
      });
    } catch (err) {
      log(`pv binder: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }
  async stop() {
    clearInterval(this.timer);
    while (this.busy) await sleep(50);
  }
}

async function ensureNodes(admin: RawClient, pods: number): Promise<string[]> {
  const perNode = 500;
  const count = Math.ceil(pods / perNode);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `kwok-bench-${runId}-${i}`;
    await must(admin, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'pms.io/bench': runId },
      },
      status: {
        allocatable: { cpu: '1000', memory: '4Ti', pods: String(perNode) },
        capacity: { cpu: '1000', memory: '4Ti', pods: String(perNode) },
      },
    });
    names.push(name);
  }
  return names;
}

interface Result {
  n: number;
  operator: {
    secondsUntilAllReady: number;
    apiRequestsPerInstance: number;
    steadyStateWrites: number;
    steadyStateSeconds: number;
    steadyStateWriteSamples: string[];
    peakRssMiB: number;
    /** VmHWM when the last instance became Ready (the rest of the peak is the steady state's). */
    peakRssUntilReadyMiB: number;
    rssAtStartMiB: number;
    /** The largest V8 heap in use sampled every 2 s (nodejs_heap_size_used_bytes). */
    peakHeapUsedMiB: number;
    reconciles: Record<string, number>;
    /** Reconciles of PmsInstances during the steady-state window (all results). */
    steadyStateReconciles: number;
    /** Requests per instance until all Ready, by `VERB resource`, largest first. */
    requestsByKind: Record<string, number>;
  };
  /** Load average (1 min) sampled every 10 s while this size ran: min, max, mean. */
  load: { min: number; max: number; mean: number };
  baseline: {
    secondsToCreateChildren: number;
    secondsUntilWorkloadsReady: number;
    apiRequestsPerInstance: number;
  };
}

/** Everything the run created, removed at the end even when a step fails. */
const created = { namespaces: new Set<string>(), pvs: new Set<string>() };

async function createNamespaces(admin: RawClient, prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  for (const name of names) created.namespaces.add(name);
  await pool(names, concurrency, async (name) => {
    await must(admin, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'pms.io/bench': runId } },
    });
  });
  return names;
}

async function deleteNamespaces(admin: RawClient, names: string[]): Promise<void> {
  await pool(names, concurrency, async (name) => {
    await admin.request('DELETE', `/api/v1/namespaces/${name}`);
    created.namespaces.delete(name);
  });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const left = items(await must(admin, 'GET', '/api/v1/namespaces')).filter((n) =>
      names.includes(n.metadata?.name ?? ''),
    );
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      log(`warning: ${left.length} namespaces still terminating`);
      return;
    }
    await sleep(1000);
  }
}

/** Workloads in `namespaces` whose ready replicas reach the desired count. */
async function workloadsReady(
  admin: RawClient,
  prefix: string,
  expected: number,
): Promise<boolean> {
  const sel = 'labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpms-operator';
  const all = [
    ...items(await must(admin, 'GET', `/apis/apps/v1/deployments?${sel}`)),
    ...items(await must(admin, 'GET', `/apis/apps/v1/statefulsets?${sel}`)),
  ].filter((w) => w.metadata?.namespace?.startsWith(prefix));
  if (all.length < expected) return false;
  return all.every(
    (w) =>
      ((w.status as { readyReplicas?: number })?.readyReplicas ?? 0) >=
      ((w.spec as { replicas?: number })?.replicas ?? 1),
  );
}

async function readyInstances(admin: RawClient, prefix: string): Promise<number> {
  const list = items(await must(admin, 'GET', '/apis/pms.io/v1alpha1/pmsinstances'));
  return list.filter(
    (i) =>
      i.metadata?.namespace?.startsWith(prefix) &&
      (
        (i.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ?? []
      ).some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

async function baseline(admin: RawClient, kc: KubeConfig, n: number) {
  const prefix = `bench-${runId}-b${n}-`;
  const namespaces = await createNamespaces(admin, prefix, n);
  const binder = new PvBinder(admin, prefix);
  binder.start();
  const bulk = await rawClient(kc, concurrency);
  const t0 = performance.now();
  let workloads = 0;
  await pool(namespaces, Math.max(1, Math.floor(concurrency / 8)), async (ns) => {
    const created = (await must(
      bulk,
      'POST',
      `/apis/pms.io/v1alpha1/namespaces/${ns}/pmsinstances`,
      instanceBody(ns, 'pms'),
    )) as Item;
    const inst = parseInstance(created);
    const children = [...renderSecrets(inst, (k) => randomBytes(k)), ...renderChildren(inst)];
    workloads += children.filter((c) => c.kind === 'Deployment' || c.kind === 'StatefulSet').length;
    await pool(children, 8, async (c) => {
      await must(bulk, 'POST', collection(c.apiVersion, c.kind, ns), c);
    });
  });
  const createdSeconds = (performance.now() - t0) / 1000;
  const requests = bulk.count;
  bulk.close();
  const deadline = Date.now() + timeoutMsFor(n);
  while (!(await workloadsReady(admin, prefix, workloads))) {
    if (Date.now() > deadline) throw new Error(`baseline N=${n}: workloads not ready in time`);
    await sleep(500);
  }
  const readySeconds = (performance.now() - t0) / 1000;
  await binder.stop();
  log(
    `baseline N=${n}: created in ${createdSeconds.toFixed(1)} s, workloads ready in ${readySeconds.toFixed(1)} s`,
  );
  return {
    namespaces,
    pvs: binder.pvs,
    createdSeconds,
    readySeconds,
    requestsPerInstance: requests / n,
  };
}

function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => r(p));
    });
  });
}

function currentRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

async function withOperator(admin: RawClient, kc: KubeConfig, n: number, baselineSeconds: number) {
  const prefix = `bench-${runId}-o${n}-`;
  const namespaces = await createNamespaces(admin, prefix, n);
  const proxy = await startBenchProxy(kc);
  const kubeconfigPath = join('/tmp', `pms-bench-${runId}.kubeconfig`);
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: proxy, cluster: {server: "' +
        proxy.url +
        '", insecure-skip-tls-verify: true}}]',
      'users: [{name: proxy, user: {}}]',
      'contexts: [{name: proxy, context: {cluster: proxy, user: proxy}}]',
      'current-context: proxy',
      '',
    ].join('\n'),
  );
  const metricsPort = await freePort();
  const nodeFlags = (args['node-flags'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeFlags, operatorEntry()], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      ...(entry === 'bundle' ? shippedEnv() : {}),
      KUBECONFIG: kubeconfigPath,
      LEADER_ELECTION: 'false',
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      RESYNC_PERIOD: resync,
      KUBERNETES_SERVICE_HOST: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const pid = child.pid ?? 0;
  const stopChild = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  try {
    // Wait until the operator serves /readyz (informers synced), then start counting.
    const up = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).ok) break;
      } catch {
        // not yet listening
      }
      if (Date.now() > up || child.exitCode !== null) throw new Error('operator did not start');
      await sleep(200);
    }
    // Fixed cost: modules (client-node alone is ~85 MiB), informers synced, no instances yet.
    const startRss = currentRss(pid);
    // The live JavaScript heap (after the last GC V8 reports), sampled every 2 s: what the
    // memory limit has to hold, as opposed to the RSS, which also counts garbage not yet
    // collected under a large --max-old-space-size.
    let peakHeapUsed = 0;
    const heapTimer = setInterval(() => {
      fetch(`http://127.0.0.1:${metricsPort}/metrics`)
        .then((r) => r.text())
        .then((text) => {
          const m = /^pms_operator_nodejs_heap_size_used_bytes (\d+)/m.exec(text);
          if (m) peakHeapUsed = Math.max(peakHeapUsed, Number(m[1]));
        })
        .catch(() => undefined);
    }, 2000);
    const binder = new PvBinder(admin, prefix);
    binder.start();
    proxy.reset();
    const t0 = performance.now();
    await pool(namespaces, concurrency, async (ns) => {
      await must(
        admin,
        'POST',
        `/apis/pms.io/v1alpha1/namespaces/${ns}/pmsinstances`,
        instanceBody(ns, 'pms'),
      );
    });
    const timeoutMs = timeoutMsFor(n, baselineSeconds);
    const deadline = Date.now() + timeoutMs;
    let ready = 0;
    while ((ready = await readyInstances(admin, prefix)) < n) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `operator N=${n}: the operator exited (${child.exitCode ?? child.signalCode})`,
        );
      if (Date.now() > deadline)
        throw new Error(`operator N=${n}: only ${ready}/${n} Ready in ${timeoutMs / 1000} s`);
      await sleep(500);
    }
    const readySeconds = (performance.now() - t0) / 1000;
    // Which phase sets the peak: converging (applies, status writes) or the resync bursts of
    // the steady state.
    const rssUntilReady = peakRss(pid);
    const requestsUntilReady = proxy.requests;
    const byKind = [...proxy.byKind].sort((a, b) => b[1] - a[1]);
    await binder.stop();
    log(
      `operator N=${n}: all Ready in ${readySeconds.toFixed(1)} s; steady state for ${steadyMs / 1000} s (resync ${resync})`,
    );
    const reconcilesNow = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return [
        ...metrics.matchAll(
          /^pms_operator_reconcile_total\{controller="pmsinstance",result="(\w+)"\} (\d+)/gm,
        ),
      ].map((m) => [m[1], Number(m[2])] as const);
    };
    const total = (rs: (readonly [string | undefined, number])[]) =>
      rs.reduce((sum, [, v]) => sum + v, 0);
    const before = total(await reconcilesNow());
    proxy.reset();
    await sleep(steadyMs);
    const steadyWrites = [...proxy.writes];
    const reconciles = await reconcilesNow();
    clearInterval(heapTimer);
    const rss = peakRss(pid);
    return {
      namespaces,
      pvs: binder.pvs,
      readySeconds,
      requestsPerInstance: requestsUntilReady / n,
      steadyWrites: steadyWrites.length,
      steadyWriteSamples: steadyWrites.slice(0, 10),
      peakRssMiB: rss / 1024 / 1024,
      peakRssUntilReadyMiB: rssUntilReady / 1024 / 1024,
      startRssMiB: startRss / 1024 / 1024,
      peakHeapUsedMiB: peakHeapUsed / 1024 / 1024,
      reconciles: Object.fromEntries(reconciles),
      steadyReconciles: total(reconciles) - before,
      requestsByKind: Object.fromEntries(byKind.map(([k, v]) => [k, round(v / n)])),
    };
  } finally {
    await stopChild();
    await proxy.close();
  }
}

async function main() {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv('kube').kubeconfig);
  const admin = await rawClient(kc, concurrency);
  // Every CRD as written (raw JSON: the typed client would drop `default` keys); the operator
  // runs every controller, and each needs its kind served.
  await installCrdDir(kc, join(repoRoot, 'crds'), 'pms-bench');
  // Instances left by an interrupted run (or anybody else) would be reconciled too and
  // distort every figure: the benchmark needs a cluster without any.
  // A previous run's namespaces may still be terminating: wait for them (up to 5 min).
  let existing = items(await must(admin, 'GET', '/apis/pms.io/v1alpha1/pmsinstances'));
  for (const until = Date.now() + 300_000; existing.length > 0 && Date.now() < until;) {
    const terminating = new Set(
      items(await must(admin, 'GET', '/api/v1/namespaces'))
        .filter((ns) => (ns.status as { phase?: string } | undefined)?.phase === 'Terminating')
        .map((ns) => ns.metadata?.name),
    );
    if (!existing.every((i) => terminating.has(i.metadata?.namespace))) break;
    log(`waiting for ${existing.length} PmsInstances in terminating namespaces to go`);
    await sleep(5000);
    existing = items(await must(admin, 'GET', '/apis/pms.io/v1alpha1/pmsinstances'));
  }
  if (existing.length > 0) {
    const where = [...new Set(existing.map((i) => i.metadata?.namespace))].slice(0, 5).join(', ');
    throw new Error(
      `the cluster already has ${existing.length} PmsInstances (namespaces ${where}, ...): ` +
        'delete them (or start a fresh test environment) before benchmarking',
    );
  }
  // The local API server's service range is a /24 (about 250 ClusterIPs, fewer than 100
  // instances need): add a /16 with a ServiceCIDR (networking.k8s.io/v1, Kubernetes 1.33+).
  const serviceCidr = `pms-bench-${runId}`;
  await must(admin, 'POST', '/apis/networking.k8s.io/v1/servicecidrs', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'ServiceCIDR',
    metadata: { name: serviceCidr, labels: { 'pms.io/bench': runId } },
    spec: { cidrs: ['10.128.0.0/16'] },
  });
  const nodes = await ensureNodes(admin, Math.max(...sizes) * 10);
  const results: Result[] = [];
  try {
    for (const n of sizes) {
      log(`N=${n}: baseline`);
      const load = sampleLoad();
      const base =
        args.baseline === false
          ? {
              namespaces: [],
              pvs: [],
              createdSeconds: NaN,
              readySeconds: NaN,
              requestsPerInstance: NaN,
            }
          : await baseline(admin, kc, n);
      await deleteNamespaces(admin, base.namespaces);
      log(`N=${n}: operator`);
      const op = await withOperator(admin, kc, n, base.readySeconds);
      results.push({
        n,
        operator: {
          secondsUntilAllReady: round(op.readySeconds),
          apiRequestsPerInstance: round(op.requestsPerInstance),
          steadyStateWrites: op.steadyWrites,
          steadyStateSeconds: steadyMs / 1000,
          steadyStateWriteSamples: op.steadyWriteSamples,
          peakRssMiB: round(op.peakRssMiB),
          peakRssUntilReadyMiB: round(op.peakRssUntilReadyMiB),
          rssAtStartMiB: round(op.startRssMiB),
          peakHeapUsedMiB: round(op.peakHeapUsedMiB),
          reconciles: op.reconciles,
          steadyStateReconciles: op.steadyReconciles,
          requestsByKind: op.requestsByKind,
        },
        load: load.stop(),
        baseline: {
          secondsToCreateChildren: round(base.createdSeconds),
          secondsUntilWorkloadsReady: round(base.readySeconds),
          apiRequestsPerInstance: round(base.requestsPerInstance),
        },
      });
      writeReport(results);
      await deleteNamespaces(admin, op.namespaces);
      for (const pv of [...base.pvs, ...op.pvs]) {
        await admin.request('DELETE', `/api/v1/persistentvolumes/${pv}`);
        created.pvs.delete(pv);
      }
    }
  } finally {
    if (created.namespaces.size > 0) await deleteNamespaces(admin, [...created.namespaces]);
    for (const pv of created.pvs) await admin.request('DELETE', `/api/v1/persistentvolumes/${pv}`);
    for (const name of nodes) await admin.request('DELETE', `/api/v1/nodes/${name}`);
    await admin.request('DELETE', `/apis/networking.k8s.io/v1/servicecidrs/${serviceCidr}`);
    admin.close();
  }
}

const outDir = join(repoRoot, 'bench', 'results');
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);

/** Writes (or rewrites) this run's JSON and markdown; called after every size. */
function writeReport(results: Result[]): void {
  mkdirSync(outDir, { recursive: true });
  const report = {
    benchmark: 'operator',
    date: new Date().toISOString(),
    node: process.version,
    cluster: 'tools/testenv kube (kube-apiserver, controller-manager, scheduler, kwok)',
    operatorNodeFlags: args['node-flags'] ?? '',
    steadyStateSeconds: steadyMs / 1000,
    results,
  };
  writeFileSync(join(outDir, `operator-${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
  const md = [
    `# Operator benchmark (${report.date})`,
    '',
    `Node ${report.node}; ${report.cluster}. Operator: ${
      entry === 'bundle'
        ? `the shipped bundle (\`npm run bundle -w operator\`) with the Deployment's memory settings (\`${shippedEnvText()}\`)`
        : '`node operator/src/main.ts`'
    }${args['node-flags'] ? ` and \`${args['node-flags']}\` on its command line` : ''}, through a counting proxy.`,
    'Baseline: the same pre-rendered children created directly by a raw bulk client ' +
      `(${concurrency} requests in flight), and the time until their workloads are ready.`,
    '',
    '| N | operator: s until all Ready | baseline: s to create | baseline: s until workloads ready | operator requests / instance | baseline requests / instance | writes in ' +
      `${steadyMs / 1000} s steady state | operator RSS at start (MiB) | operator peak RSS (MiB) | peak JS heap in use (MiB) |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.n} | ${r.operator.secondsUntilAllReady} | ${r.baseline.secondsToCreateChildren} | ${r.baseline.secondsUntilWorkloadsReady} | ` +
        `${r.operator.apiRequestsPerInstance} | ${r.baseline.apiRequestsPerInstance} | ${r.operator.steadyStateWrites} | ${r.operator.rssAtStartMiB} | ${r.operator.peakRssMiB} | ${r.operator.peakHeapUsedMiB} |`,
    ),
    '',
    'Ratios against the baseline of the same run (1.0 = as fast / as few requests as the floor):',
    '',
    '| N | time to Ready ÷ baseline time to workloads ready | requests per instance ÷ baseline |',
    '|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.n} | ${ratio(r.operator.secondsUntilAllReady, r.baseline.secondsUntilWorkloadsReady)} | ` +
        `${ratio(r.operator.apiRequestsPerInstance, r.baseline.apiRequestsPerInstance)} |`,
    ),
    '',
    `Steady state: RESYNC_PERIOD=${resync}, so every instance is reconciled about ` +
      `${Math.floor(steadyMs / 1000 / parseSeconds(resync))} times in the window.`,
    '',
    '| N | reconciles in the window | per instance | writes | load average (1 min) min / mean / max | peak RSS until all Ready (MiB) | peak RSS after the window (MiB) |',
    '|---:|---:|---:|---:|---|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.n} | ${r.operator.steadyStateReconciles} | ${round(r.operator.steadyStateReconciles / r.n)} | ` +
        `${r.operator.steadyStateWrites} | ${r.load.min} / ${r.load.mean} / ${r.load.max} | ` +
        `${r.operator.peakRssUntilReadyMiB} | ${r.operator.peakRssMiB} |`,
    ),
    '',
    'Operator requests per instance until all Ready, by kind:',
    '',
    ...results.flatMap((r) => [
      `- N = ${r.n}: ` +
        Object.entries(r.operator.requestsByKind)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
    ]),
    '',
  ].join('\n');
  writeFileSync(join(outDir, `operator-${stamp}.md`), md);
  console.log(md);
  log(`results: bench/results/operator-${stamp}.{json,md}`);
}

const round = (x: number) => Math.round(x * 100) / 100;

let bundled: string | undefined;
/** The file the operator process runs (the bundle is built once per benchmark run). */
function operatorEntry(): string {
  if (entry === 'source') return join(repoRoot, 'operator/src/main.ts');
  if (!bundled) {
    bundled = join('/tmp', `pms-bench-${runId}-operator.mjs`);
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'operator/scripts/bundle.ts'), '--outfile', bundled],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`bundling failed: ${r.stderr}`);
  }
  return bundled;
}

/** NODE_OPTIONS as config/manager/deployment.yaml sets them for the operator container. */
/** The memory settings config/manager/deployment.yaml gives the operator container. */
const SHIPPED_ENV = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX'];
function shippedEnv(): Record<string, string> {
  const deployment = parseYaml(
    readFileSync(join(repoRoot, 'config/manager/deployment.yaml'), 'utf8'),
  ) as {
    spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
  };
  const env = deployment.spec.template.spec.containers[0]?.env ?? [];
  return Object.fromEntries(
    env
      .filter((e) => SHIPPED_ENV.includes(e.name) && e.value !== undefined)
      .map((e) => [e.name, e.value ?? '']),
  );
}
const shippedEnvText = () =>
  Object.entries(shippedEnv())
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** Samples the 1-minute load average every 10 s until stopped (other work on the machine counts). */
function sampleLoad() {
  const samples = [loadavg()[0] ?? 0];
  const timer = setInterval(() => samples.push(loadavg()[0] ?? 0), 10_000);
  return {
    stop() {
      clearInterval(timer);
      return {
        min: round(Math.min(...samples)),
        max: round(Math.max(...samples)),
        mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
      };
    },
  };
}

/** Seconds of a Go-style duration (`15s`, `1m`, `500ms`). */
function parseSeconds(d: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(d);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[m?.[2] ?? 'ms'] ?? 1;
  return Number(m?.[1] ?? 0) * unit || 1;
}

/** `a ÷ b` to two decimals, or n/a when either side was not measured. */
function ratio(a: number | null | undefined, b: number | null | undefined): string {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? (a / b).toFixed(2) : 'n/a';
}

await main();

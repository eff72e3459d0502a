// CLUSTER_MODE=true: the primary forks CLUSTER_WORKERS API workers (node:cluster, sharing the
// API port), restarts one that dies unexpectedly with an exponential back-off, gives up (exit 1)
// after repeated fast crashes, serves the workers' aggregated metrics on METRICS_PORT, and on
// SIGTERM/SIGINT forwards the signal so every worker drains, then exits once all have exited.
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { TConfig } from './platform/config.ts';
import { createMetricsServer } from './platform/metrics.ts';

/** Crashes within this window count towards giving up. */
export const CRASH_WINDOW_MS = 60_000;
/** This many unexpected exits within CRASH_WINDOW_MS → the primary gives up. */
export const MAX_CRASHES = 5;
const RESTART_BASE_MS = 200;
const RESTART_MAX_MS = 10_000;

export async function runPrimary(config: TConfig, logger: Logger): Promise<void> {
  const live = new Set<Worker>();
  const crashes: number[] = [];
  let started = false; // the first worker has listened (startup is serialised, see below)
  let stopping = false;
  let exitCode = 0;
  let pendingRestarts = 0;

  let metricsServer: Server | null = null;
  if (config.ENABLE_METRICS) {
    const aggregator = new AggregatorRegistry();
    metricsServer = createMetricsServer(
      async () => ({
        contentType: aggregator.contentType,
        body: await aggregator.clusterMetrics(),
      }),
      (err) => logger.error({ err }, 'cluster metrics aggregation failed'),
    );
    metricsServer.listen(config.METRICS_PORT);
    await once(metricsServer, 'listening');
    logger.info({ port: config.METRICS_PORT }, 'metrics listening (aggregated over workers)');
  }

  function fork(): void {
    const worker = cluster.fork();
    live.add(worker);
    logger.info({ workerId: worker.id, workerPid: worker.process.pid }, 'worker forked');
  }

  function finish(): void {
    if (live.size > 0 || pendingRestarts > 0) return;
    metricsServer?.closeAllConnections();
    metricsServer?.close();
    logger.info({ exitCode }, 'cluster stopped');
    process.exit(exitCode);
  }

  function stopAll(reason: string): void {
    if (stopping) return;
    stopping = true;
    logger.info({ reason, workers: live.size }, 'cluster shutting down: draining workers');
    for (const w of live) w.process.kill('SIGTERM');
    const force = setTimeout(() => {
      if (live.size === 0) return;
      logger.error({ workers: live.size }, 'workers did not drain in time: killing them');
      exitCode = 1;
      for (const w of live) w.process.kill('SIGKILL');
    }, config.SHUTDOWN_TIMEOUT_MS + 10_000);
    force.unref();
    finish();
  }

  cluster.on('listening', (worker) => {
    logger.info({ workerId: worker.id, workerPid: worker.process.pid }, 'worker listening');
    // The first worker alone runs index sync and admin bootstrap; the others start after it.
    if (!started) {
      started = true;
      for (let i = live.size; i < config.CLUSTER_WORKERS && !stopping; i++) fork();
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    const info = { workerId: worker.id, workerPid: worker.process.pid, code, signal };
    if (stopping) {
      logger.info(info, 'worker exited');
      finish();
      return;
    }
    logger.error(info, 'worker died unexpectedly');
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && (crashes[0] ?? now) < now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length >= MAX_CRASHES) {
      logger.fatal(
        { crashes: crashes.length, windowMs: CRASH_WINDOW_MS },
        `giving up: ${crashes.length} worker crashes within ${CRASH_WINDOW_MS / 1000}s`,
      );
      exitCode = 1;
      stopAll('too many worker crashes');
      return;
    }
    const delayMs = Math.min(RESTART_BASE_MS * 2 ** (crashes.length - 1), RESTART_MAX_MS);
    logger.warn({ delayMs }, 'restarting worker');
    pendingRestarts++;
    setTimeout(() => {
      pendingRestarts--;
      if (stopping) finish();
      else fork();
    }, delayMs);
  });

  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));
  logger.info(
    { workers: config.CLUSTER_WORKERS, port: config.port, pid: process.pid },
    'cluster primary started',
  );
  fork();
}

// The API process: config → dependencies → HTTP server, with graceful shutdown that stops
// accepting, drains in-flight requests (bounded by SHUTDOWN_TIMEOUT_MS), then disconnects.
// METRICS_PORT set → /metrics on its own listener (not the API port). CLUSTER_MODE=true → this
// process is the primary of src/cluster.ts and every forked worker runs the API below.
import cluster from 'node:cluster';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import { closeLiveStreams } from './events/routes.ts';
import { runPrimary } from './cluster.ts';
import { ConfigError, loadConfig, type TConfig } from './platform/config.ts';
import { createLogger } from './platform/logger.ts';
import { createMetricsServer, exposeToClusterPrimary } from './platform/metrics.ts';
import { startRuntime } from './runtime.ts';

let config: TConfig;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const logger = createLogger(config.LOG_LEVEL);
try {
  if (config.CLUSTER_MODE && cluster.isPrimary) await runPrimary(config, logger);
  else await runApi(config, logger);
} catch (err) {
  // Through the logger (which redacts URI credentials), not Node's uncaught-error dump, which
  // prints driver errors with every property.
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
}

async function runApi(config: TConfig, logger: Logger): Promise<void> {
  const deps = await startRuntime(config, logger);
  const { app, metrics } = buildApp(deps);
  const server = app.listen(config.port);
  await once(server, 'listening');
  let metricsServer: Server | null = null;
  if (config.ENABLE_METRICS && cluster.isWorker) {
    // The primary aggregates every worker's registry and serves it on METRICS_PORT.
    exposeToClusterPrimary(metrics);
  } else if (config.ENABLE_METRICS && config.METRICS_PORT) {
    metricsServer = createMetricsServer(
      async () => ({
        contentType: metrics.registry.contentType,
        body: await metrics.registry.metrics(),
      }),
      (err) => logger.error({ err }, 'metrics failed'),
    );
    metricsServer.listen(config.METRICS_PORT);
    await once(metricsServer, 'listening');
    logger.info({ port: config.METRICS_PORT }, 'metrics listening');
  }
  logger.info({ port: config.port, pid: process.pid }, 'PMS API listening');

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    metricsServer?.close();
    closeLiveStreams(); // open streams would hold server.close() until the forced timeout
    metricsServer?.closeAllConnections();
    const force = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    clearTimeout(force);
    // Bounded: a database stuck on a slow query must not keep a terminating pod alive.
    await Promise.race([deps.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
    logger.info('stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // A worker whose primary is gone drains and exits rather than lingering.
  if (cluster.isWorker) process.on('disconnect', () => void shutdown('primary disconnected'));
}

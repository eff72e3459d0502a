// The API process: config → dependencies → HTTP server, with graceful shutdown that stops
// accepting, drains in-flight requests (bounded by SHUTDOWN_TIMEOUT_MS), then disconnects.
import { once } from 'node:events';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type TConfig } from './platform/config.ts';
import { createLogger } from './platform/logger.ts';
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
const deps = await startRuntime(config, logger);
const { app } = buildApp(deps);
const server = app.listen(config.port);
await once(server, 'listening');
logger.info({ port: config.port }, 'PMS API listening');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: draining requests');
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

// `npm run worker`: sends notification emails and runs periodic clean-ups.
import { startWorker } from './jobs/worker.ts';
import { checkDatabaseOnStart } from './migrations/startup.ts';
import { connectMongo } from './platform/db.ts';
import { ConfigError, loadConfig, type TConfig } from './platform/config.ts';
import { createLogger } from './platform/logger.ts';

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
const logger = createLogger(config.LOG_LEVEL, 'pms-worker');
// The same database check as the API's (a newer database: refuse; pending: MIGRATIONS_ON_START).
const w = await connectMongo(config)
  .then(() => checkDatabaseOnStart(config, logger))
  .then(() => startWorker(config, logger))
  .catch((err: unknown) => {
    // Logged redacted (see platform/logger.ts), not dumped by Node with every property.
    logger.fatal({ err }, 'start-up failed');
    process.exit(1);
  });
const stop = async (signal: string) => {
  logger.info({ signal }, 'worker stopping (finishing running jobs)');
  await w.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

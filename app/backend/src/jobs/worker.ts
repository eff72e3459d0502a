// The BullMQ worker: notification emails and the periodic clean-up (a job scheduler, so only
// one clean-up runs per interval across all worker replicas).
import { Queue, Worker, type Job } from 'bullmq';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import type { EmailJob } from '../notifications/service.ts';
import type { TConfig } from '../platform/config.ts';
import { connectMongo } from '../platform/db.ts';
import { createStorage } from '../platform/s3.ts';
import { QUEUE_NAME, queueConnection } from '../runtime.ts';
import { runCleanup } from './cleanup.ts';
import { createMailer } from './email.ts';
import { runWebhookJob, WEBHOOK_JOB, type WebhookJob } from '../webhooks/queue.ts';
import { settingsOf } from '../webhooks/service.ts';

/** `ownDb: false` reuses an existing mongoose connection (tests running the API in-process). */
export async function startWorker(config: TConfig, logger: Logger, opts: { ownDb?: boolean } = {}) {
  const ownDb = opts.ownDb ?? true;
  if (ownDb) await connectMongo(config);
  const storage = createStorage(config);
  const send = createMailer(config, logger);
  const webhookSettings = settingsOf(config);
  const connection = queueConnection(config);
  connection.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      if (job.name === 'email') {
        await send(job.data as EmailJob);
        return { sent: true };
      }
      if (job.name === WEBHOOK_JOB) return runWebhookJob(job as Job<WebhookJob>, webhookSettings);
      if (job.name === 'cleanup') {
        const r = await runCleanup(storage);
        logger.info(r, 'clean-up done');
        return r;
      }
      throw new Error(`unknown job ${job.name}`);
    },
    { connection, prefix: config.QUEUE_PREFIX, concurrency: 4 },
  );
  worker.on('failed', (job, err) =>
    logger.warn({ job: job?.name, id: job?.id, err: err.message }, 'job failed'),
  );
  worker.on('error', (err) => logger.warn({ err: err.message }, 'worker error'));
  const schedulerConn = queueConnection(config);
  schedulerConn.on('error', () => undefined);
  const queue = new Queue(QUEUE_NAME, { connection: schedulerConn, prefix: config.QUEUE_PREFIX });
  await queue.upsertJobScheduler(
    'cleanup',
    { every: config.CLEANUP_INTERVAL_MS },
    { name: 'cleanup' },
  );
  logger.info('worker started');
  return {
    worker,
    async close() {
      await worker.close();
      await queue.close();
      connection.disconnect();
      schedulerConn.disconnect();
      storage.client.destroy();
      if (ownDb) await mongoose.disconnect();
    },
  };
}

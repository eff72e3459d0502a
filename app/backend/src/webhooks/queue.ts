// The queue side: the event listener that turns a project event into one delivery job per
// matching active webhook, and the worker's handler for those jobs. Retries are BullMQ's
// (attempts + exponential back-off); each attempt is logged, the last one settles the count of
// consecutive failures.
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { EventListener } from '../events/bus.ts';
import { Project } from '../projects/model.ts';
import { wants } from './events.ts';
import { Webhook, type TWebhookDoc } from './model.ts';
import {
  autoDisabled,
  autoDisabledIn,
  eventPayload,
  logAttempt,
  sendAttempt,
  settleDelivery,
  type WebhookSettings,
} from './service.ts';

export const WEBHOOK_JOB = 'webhook';

export interface WebhookJob {
  webhookId: string;
  deliveryId: string;
  event: string;
  /** The exact body, fixed when the event happened, so every retry sends the same bytes. */
  body: string;
}

export function webhookListener(opts: {
  queue: Queue | null;
  logger: Logger;
  settings: WebhookSettings;
}): EventListener {
  const { queue, logger, settings } = opts;
  return async (event) => {
    const hooks = await Webhook.find({ projectId: event.projectId, active: true })
      .select({ events: 1 })
      .lean<Pick<TWebhookDoc, '_id' | 'events'>[]>();
    let matching = hooks.filter((h) => wants(h.events, event.type));
    if (matching.length === 0) return;
    const off = await autoDisabledIn(event.projectId);
    matching = matching.filter((h) => !off.has(String(h._id)));
    if (matching.length === 0) return;
    if (!queue) {
      // Documented: without the job queue (ENABLE_NOTIFICATIONS=false) nothing is delivered.
      logger.debug({ event: event.type }, 'webhook deliveries skipped: the job queue is off');
      return;
    }
    const p = await Project.findById(event.projectId).select({ key: 1, name: 1 }).lean();
    const project = { id: event.projectId, key: p?.key ?? '', name: p?.name ?? '' };
    for (const h of matching) {
      const deliveryId = randomUUID();
      const data: WebhookJob = {
        webhookId: String(h._id),
        deliveryId,
        event: event.type,
        body: eventPayload(deliveryId, event, project),
      };
      // Bounded like the email jobs: a stalled Redis must not hold up the request.
      await Promise.race([
        queue.add(WEBHOOK_JOB, data, {
          jobId: deliveryId,
          attempts: settings.maxAttempts,
          backoff: { type: 'exponential', delay: settings.backoffMs },
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 1000 },
        }),
        new Promise((_, rej) => setTimeout(() => rej(new Error('queue timeout')), 1000).unref()),
      ]).catch((err: Error) =>
        logger.warn({ err: err.message, event: event.type }, 'webhook job not queued'),
      );
    }
  };
}

/** The worker's handler: one attempt; throwing makes BullMQ retry after the back-off. */
export async function runWebhookJob(
  job: Job<WebhookJob>,
  settings: WebhookSettings,
): Promise<{ status: number | null } | { skipped: string }> {
  const w = await Webhook.findById(job.data.webhookId).lean<TWebhookDoc>();
  if (!w) return { skipped: 'webhook deleted' };
  if (!w.active || (await autoDisabled(w._id))) return { skipped: 'webhook disabled' };
  const attempt = job.attemptsMade + 1;
  const a = { ...job.data, attempt };
  const r = await sendAttempt(w, a, settings);
  const final = r.ok || r.refused || attempt >= (job.opts.attempts ?? 1);
  await logAttempt(w, a, r, { final, test: false, logSize: settings.logSize });
  if (final) await settleDelivery(w, job.data.deliveryId, r, settings.disableAfter);
  if (r.ok) return { status: r.statusCode };
  // A refused target stays refused: no retries (the error is in the log).
  if (r.refused) throw new UnrecoverableError(r.error ?? 'target refused');
  throw new Error(r.error ?? 'delivery failed');
}

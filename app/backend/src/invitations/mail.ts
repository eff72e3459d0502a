// Sending a one-time link by e-mail: through the BullMQ 'email' job (worker → SMTP), like
// notification e-mails. Without SMTP_HOST (or without the queue: ENABLE_NOTIFICATIONS=false) no
// e-mail can leave, and the caller shows the link to the admin instead.
import type { Deps } from '../deps.ts';
import type { EmailJob } from '../notifications/service.ts';

export type MailDeps = Pick<Deps, 'config' | 'queue' | 'logger'>;

/** Whether e-mails can be sent at all on this instance. */
export const canEmail = (d: MailDeps): boolean => Boolean(d.config.SMTP_HOST && d.queue);

/** Queues one e-mail; false when it cannot be sent (no SMTP, no queue, Redis unreachable). */
export async function queueEmail(d: MailDeps, job: EmailJob): Promise<boolean> {
  if (!canEmail(d) || !d.queue) return false;
  const timeout = new Promise<never>((_, rej) =>
    setTimeout(() => rej(new Error('queue timeout')), 2000).unref(),
  );
  try {
    await Promise.race([
      d.queue.add('email', job, {
        attempts: 5,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      }),
      timeout,
    ]);
    return true;
  } catch (err) {
    d.logger.warn({ err: (err as Error).message }, 'email job not queued');
    return false;
  }
}

/** "7 days", "1 hour", "30 minutes": how long a link stays valid, for e-mail texts. */
export function describeTtl(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60 || minutes % 60 !== 0) return plural(minutes, 'minute');
  const hours = minutes / 60;
  if (hours < 24 || hours % 24 !== 0) return plural(hours, 'hour');
  return plural(hours / 24, 'day');
}

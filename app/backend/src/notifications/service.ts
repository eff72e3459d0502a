import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { EventBus } from '../events/bus.ts';
import type { Principal } from '../platform/auth.ts';
import { notFound } from '../platform/errors.ts';
import { User } from '../users/model.ts';
import { Notification, toNotification, type TNotificationDoc } from './model.ts';

export interface EmailJob {
  to: string;
  subject: string;
  text: string;
}

export interface Notify {
  queue: Queue | null;
  logger: Logger;
  frontendUrl: string;
  /** Live badge updates (the recipients' user channels); absent → no live update. */
  events?: Pick<EventBus, 'publishUser'>;
}

/** Tells the user's open tabs (live streams) their new unread count. Best effort. */
export async function publishUnread(
  events: Pick<EventBus, 'publishUser'> | undefined,
  userId: string,
  type: 'notification.created' | 'notification.read',
): Promise<void> {
  if (!events) return;
  const unreadCount = await Notification.countDocuments({ userId, read: false });
  await events.publishUser({ userId, type, unreadCount, at: new Date().toISOString() });
}

/**
 * Stores in-app notifications (never for the actor themself) and queues one email each.
 * Queueing is best effort: with Redis down the in-app notification still exists.
 */
/** The frontend's task page: /projects/<KEY>/tasks/<number>. */
export function taskUrl(frontendUrl: string, taskKey: string): string {
  const i = taskKey.lastIndexOf('-');
  return `${frontendUrl.replace(/\/$/, '')}/projects/${taskKey.slice(0, i)}/tasks/${taskKey.slice(i + 1)}`;
}

export async function notify(
  n: Notify,
  actor: Principal,
  recipients: string[],
  data: {
    type: 'mention' | 'assigned' | 'comment';
    projectId: string;
    taskId: string;
    taskKey: string;
    message: string;
  },
): Promise<void> {
  const to = [...new Set(recipients)].filter((id) => id !== actor.userId);
  if (to.length === 0) return;
  await Notification.insertMany(
    to.map((userId) => ({ ...data, userId, actorId: actor.userId, actorName: actor.name })),
  );
  for (const userId of to)
    await publishUnread(n.events, userId, 'notification.created').catch((err: Error) =>
      n.logger.warn({ err: err.message }, 'live notification event not sent'),
    );
  if (!n.queue) return;
  const users = await User.find({ _id: { $in: to }, disabled: false }).lean();
  for (const u of users) {
    const job: EmailJob = {
      to: u.email,
      subject: `[${data.taskKey}] ${data.message}`,
      text: `${data.message}\n\n${taskUrl(n.frontendUrl, data.taskKey)}\n`,
    };
    const timeout = new Promise<never>((_, rej) =>
      setTimeout(() => rej(new Error('queue timeout')), 1000).unref(),
    );
    await Promise.race([
      n.queue.add('email', job, {
        attempts: 5,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      }),
      timeout,
    ]).catch((err: Error) => n.logger.warn({ err: err.message }, 'email job not queued'));
  }
}

export async function listNotifications(
  userId: string,
  unread: boolean,
  limit: number,
  cursor?: string,
) {
  const q: Record<string, unknown> = { userId };
  if (unread) q.read = false;
  if (cursor) q._id = { $lt: cursor };
  const rows = await Notification.find(q)
    .sort({ _id: -1 })
    .limit(limit + 1)
    .lean<TNotificationDoc[]>();
  const page = rows.slice(0, limit);
  return {
    items: page.map(toNotification),
    nextCursor: rows.length > limit && page.length > 0 ? String(page[page.length - 1]?._id) : null,
    unreadCount: await Notification.countDocuments({ userId, read: false }),
  };
}

export async function markRead(userId: string, id: string): Promise<void> {
  const r = await Notification.updateOne({ _id: id, userId }, { $set: { read: true } });
  if (r.matchedCount === 0) throw notFound('Notification');
}

export async function markAllRead(userId: string): Promise<void> {
  await Notification.updateMany({ userId, read: false }, { $set: { read: true } });
}

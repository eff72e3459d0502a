// Project events: every change recorded in the activity log is also published, so that live
// boards (server-sent events, every backend replica) and webhooks (the worker) hear of it.
// The activity log is the durable record; publishing is best effort and never fails the request
// that made the change (a lost live update is repaired by the next load or Last-Event-ID replay
// from the activity log).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface EventChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One change in a project; `id` is the activity entry's id (ordered: usable as Last-Event-ID). */
export interface ProjectEvent {
  id: string;
  projectId: string;
  taskId: string | null;
  /** The activity action: task.created, task.updated, task.moved, comment.created, member.added… */
  type: string;
  actorId: string;
  actorName: string;
  changes: EventChange[];
  at: string;
}

export type EventListener = (event: ProjectEvent) => Promise<void> | void;

/** A change that concerns one user only (the notification badge); carries no activity id. */
export interface UserEvent {
  userId: string;
  /** notification.created, notification.read */
  type: string;
  /** The new unread count when known (saves the client a request). */
  unreadCount?: number;
  at: string;
}

export interface EventBus {
  /** Publishes on the project's Redis channel and hands the event to the local listeners. */
  publish(event: ProjectEvent): Promise<void>;
  /** Adds an in-process listener (run in the process that made the change, e.g. webhooks). */
  onPublish(listener: EventListener): void;
  /** The Redis pub/sub channel of a project's events. */
  channel(projectId: string): string;
  /** The pattern matching every project's channel (for one PSUBSCRIBE per replica). */
  readonly pattern: string;
  /** Publishes a user's own event (best effort, like publish) on the user's channel. */
  publishUser(event: UserEvent): Promise<void>;
  /** The Redis pub/sub channel of one user's events. */
  userChannel(userId: string): string;
  /** The pattern matching every user's channel. */
  readonly userPattern: string;
}

export function createEventBus(opts: { redis: Redis; prefix: string; logger: Logger }): EventBus {
  const listeners: EventListener[] = [];
  const base = `${opts.prefix}events:project:`;
  const userBase = `${opts.prefix}events:user:`;
  return {
    pattern: `${base}*`,
    userPattern: `${userBase}*`,
    userChannel: (userId) => `${userBase}${userId}`,
    async publishUser(event) {
      try {
        await opts.redis.publish(`${userBase}${event.userId}`, JSON.stringify(event));
      } catch (err) {
        opts.logger.warn(
          { err: (err as Error).message, event: event.type },
          'user event not published (the badge catches up on the next load)',
        );
      }
    },
    channel: (projectId) => `${base}${projectId}`,
    onPublish(listener) {
      listeners.push(listener);
    },
    async publish(event) {
      try {
        await opts.redis.publish(`${base}${event.projectId}`, JSON.stringify(event));
      } catch (err) {
        opts.logger.warn(
          { err: (err as Error).message, event: event.type },
          'event not published (live updates for it are lost; the activity log keeps it)',
        );
      }
      for (const l of listeners) {
        try {
          await l(event);
        } catch (err) {
          opts.logger.warn(
            { err: (err as Error).message, event: event.type },
            'event listener failed',
          );
        }
      }
    },
  };
}

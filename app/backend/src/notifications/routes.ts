import { z } from 'zod';
import { ZNotificationPage } from './schemas.ts';
import type { Deps } from '../deps.ts';
import { ZLimit, ZObjectId, type Api } from '../platform/http.ts';
import { listNotifications, markAllRead, markRead, publishUnread } from './service.ts';

export function notificationRoutes(api: Api, deps?: Pick<Deps, 'events' | 'logger'>): void {
  const tag = 'notifications';
  // The user's other tabs update their badge from the live stream.
  const readEvent = (userId: string) =>
    publishUnread(deps?.events, userId, 'notification.read').catch((err: Error) =>
      deps?.logger.warn({ err: err.message }, 'live notification event not sent'),
    );
  const ZQuery = z.object({
    unread: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    limit: ZLimit,
    cursor: ZObjectId.optional(),
  });
  api.op(
    {
      method: 'get',
      path: '/notifications',
      summary: 'My notifications',
      tag,
      auth: 'user',
      query: ZQuery,
      response: ZNotificationPage,
    },
    ({ user, query }) => listNotifications(user.userId, query.unread, query.limit, query.cursor),
  );
  api.op(
    {
      method: 'post',
      path: '/notifications/read-all',
      summary: 'Mark all read',
      tag,
      auth: 'user',
      status: 204,
    },
    async ({ user }) => {
      await markAllRead(user.userId);
      await readEvent(user.userId);
      return undefined;
    },
  );
  api.op(
    {
      method: 'post',
      path: '/notifications/:id/read',
      summary: 'Mark one read',
      tag,
      auth: 'user',
      status: 204,
      params: z.object({ id: ZObjectId }),
      errors: [404],
    },
    async ({ user, params }) => {
      await markRead(user.userId, params.id);
      await readEvent(user.userId);
      return undefined;
    },
  );
}

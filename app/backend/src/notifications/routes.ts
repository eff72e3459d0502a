import { z } from 'zod';
import { ZLimit, ZObjectId, type Api } from '../platform/http.ts';
import { listNotifications, markAllRead, markRead } from './service.ts';

export function notificationRoutes(api: Api): void {
  const tag = 'notifications';
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
    },
    async ({ user, params }) => {
      await markRead(user.userId, params.id);
      return undefined;
    },
  );
}

import { z } from 'zod';
import { component, ZDateTime, ZId } from '../platform/response.ts';

export const ZNotification = component(
  'Notification',
  z.strictObject({
    id: ZId,
    type: z.enum(['mention', 'assigned', 'comment']),
    projectId: ZId,
    taskId: ZId,
    taskKey: z.string(),
    actorId: ZId,
    actorName: z.string(),
    message: z.string(),
    read: z.boolean(),
    createdAt: ZDateTime,
  }),
);
export const ZNotificationPage = component(
  'NotificationPage',
  z.strictObject({
    items: z.array(ZNotification),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` for the next page; null at the end'),
    unreadCount: z.number().int().describe('Unread notifications of the caller in total'),
  }),
);

import { z } from 'zod';
import { component, page, ZDateTime, ZId } from '../platform/response.ts';

export const ZActivity = component(
  'Activity',
  z.strictObject({
    id: ZId,
    projectId: ZId,
    taskId: ZId.nullable().describe('null: a project-level event'),
    actorId: ZId,
    actorName: z.string(),
    action: z.string().describe('e.g. `task.updated`, `comment.created`, `member.added`'),
    changes: z.array(
      z.strictObject({
        field: z.string(),
        from: z.unknown().describe('Previous value (any JSON; null when added)'),
        to: z.unknown().describe('New value (any JSON; null when removed)'),
      }),
    ),
    createdAt: ZDateTime,
  }),
);
export const ZActivityPage = page('Activity', ZActivity);

import { z } from 'zod';
import { ZObjectId } from '../platform/http.ts';
import { component, page, ZDateTime, ZId } from '../platform/response.ts';
import { ZProjectParams } from '../projects/schemas.ts';

export const ZCommentBody = z.object({ body: z.string().trim().min(1).max(20_000) });
export const ZCommentParams = ZProjectParams.extend({ commentId: ZObjectId });

export const ZComment = component(
  'Comment',
  z.strictObject({
    id: ZId,
    taskId: ZId,
    authorId: ZId,
    authorName: z.string(),
    body: z.string().describe('Plain text; `@name` mentions notify those members'),
    mentions: z.array(ZId).describe('Members mentioned in the body'),
    createdAt: ZDateTime,
    updatedAt: ZDateTime,
  }),
);
export const ZCommentPage = page('Comment', ZComment);

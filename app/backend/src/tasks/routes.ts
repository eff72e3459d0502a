import { z } from 'zod';
import { listActivity } from '../activity/service.ts';
import {
  attachmentForToken,
  confirmUpload,
  deleteAttachment,
  downloadUrl,
  listAttachments,
  presignUpload,
  readableAttachment,
  removeAttachmentsOf,
  streamAttachment,
  uploadAttachment,
} from '../attachments/service.ts';
import { addComment, deleteComment, editComment, listComments } from '../comments/service.ts';
import type { Deps } from '../deps.ts';
import type { Principal } from '../platform/auth.ts';
import { ZObjectId, type Api } from '../platform/http.ts';
import { projectAccess } from '../projects/access.ts';
import type { TProjectRole } from '../projects/model.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import {
  ZBoardQuery,
  ZCreateTaskSchema,
  ZMoveTaskSchema,
  ZPageQuery,
  ZTaskListQuery,
  ZTaskParams,
  ZUpdateTaskSchema,
} from './schemas.ts';
import {
  board,
  createTask,
  deleteTask,
  editTaskArray,
  etagOf,
  findTask,
  getTask,
  listTasks,
  moveTask,
  updateTask,
  type TaskCtx,
} from './service.ts';

export function taskRoutes(api: Api, deps: Deps): void {
  const ctx = async (
    user: Principal,
    project: string,
    min: TProjectRole = 'viewer',
  ): Promise<TaskCtx> => ({
    deps,
    user,
    access: await projectAccess(project, user, min),
  });
  let tag = 'tasks';
  const P = '/projects/:project';

  api.op(
    {
      method: 'get',
      path: `${P}/tasks`,
      summary: 'List tasks (filters, sort, cursor)',
      tag,
      auth: 'user',
      params: ZProjectParams,
      query: ZTaskListQuery,
    },
    async ({ user, params, query }) => listTasks(await ctx(user, params.project), query),
  );
  api.op(
    {
      method: 'post',
      path: `${P}/tasks`,
      summary: 'Create a task',
      tag,
      auth: 'user',
      params: ZProjectParams,
      body: ZCreateTaskSchema,
    },
    async ({ user, params, body }) => createTask(await ctx(user, params.project, 'member'), body),
  );
  api.op(
    {
      method: 'get',
      path: `${P}/board`,
      summary: 'Board: tasks by state in rank order',
      tag,
      auth: 'user',
      params: ZProjectParams,
      query: ZBoardQuery,
    },
    async ({ user, params, query }) => board(await ctx(user, params.project), query),
  );
  api.op(
    {
      method: 'get',
      path: `${P}/tasks/:task`,
      summary: 'Get a task',
      tag,
      auth: 'user',
      params: ZTaskParams,
      etag: 'read',
    },
    async ({ user, params, res }) => {
      const t = await getTask(await ctx(user, params.project), params.task);
      res.setHeader('ETag', etagOf(t));
      return t;
    },
  );
  api.op(
    {
      method: 'patch',
      path: `${P}/tasks/:task`,
      summary: 'Update a task (If-Match optional)',
      tag,
      auth: 'user',
      params: ZTaskParams,
      body: ZUpdateTaskSchema,
      etag: 'write',
    },
    async ({ user, params, body, req, res }) => {
      const t = await updateTask(
        await ctx(user, params.project, 'member'),
        params.task,
        body,
        req.get('if-match'),
      );
      res.setHeader('ETag', etagOf(t));
      return t;
    },
  );
  // One assignee or label at a time, applied atomically ($addToSet / $pull).
  for (const [segment, field, bodyKey, label] of [
    ['assignees', 'assigneeIds', 'userId', 'assignee'],
    ['labels', 'labelIds', 'labelId', 'label'],
  ] as const) {
    api.op(
      {
        method: 'post',
        path: `${P}/tasks/:task/${segment}`,
        summary: `Add one ${label} (idempotent)`,
        tag,
        auth: 'user',
        params: ZTaskParams,
        body: z.object({ [bodyKey]: ZObjectId }).strict(),
        status: 200,
        etag: 'write',
      },
      async ({ user, params, body, req, res }) => {
        const t = await editTaskArray(
          await ctx(user, params.project, 'member'),
          params.task,
          field,
          'add',
          (body as Record<string, string>)[bodyKey] as string,
          req.get('if-match'),
        );
        res.setHeader('ETag', etagOf(t));
        return t;
      },
    );
    api.op(
      {
        method: 'delete',
        path: `${P}/tasks/:task/${segment}/:item`,
        summary: `Remove one ${label} (idempotent)`,
        tag,
        auth: 'user',
        params: ZTaskParams.extend({ item: ZObjectId }),
        status: 200,
        etag: 'write',
      },
      async ({ user, params, req, res }) => {
        const t = await editTaskArray(
          await ctx(user, params.project, 'member'),
          params.task,
          field,
          'remove',
          params.item,
          req.get('if-match'),
        );
        res.setHeader('ETag', etagOf(t));
        return t;
      },
    );
  }
  api.op(
    {
      method: 'delete',
      path: `${P}/tasks/:task`,
      summary: 'Delete a task',
      tag,
      auth: 'user',
      params: ZTaskParams,
    },
    async ({ user, params }) => {
      await deleteTask(await ctx(user, params.project, 'member'), params.task, (taskIds) =>
        removeAttachmentsOf(deps, { taskIds }),
      );
      return undefined;
    },
  );
  api.op(
    {
      method: 'post',
      path: `${P}/tasks/:task/move`,
      summary: 'Move a task (state + position)',
      tag,
      auth: 'user',
      params: ZTaskParams,
      body: ZMoveTaskSchema,
      status: 200,
    },
    async ({ user, params, body }) =>
      moveTask(await ctx(user, params.project, 'member'), params.task, body.stateId, body.index),
  );
  api.op(
    {
      method: 'get',
      path: `${P}/tasks/:task/activity`,
      summary: 'Task activity',
      tag,
      auth: 'user',
      params: ZTaskParams,
      query: ZPageQuery,
    },
    async ({ user, params, query }) => {
      const c = await ctx(user, params.project);
      const t = await findTask(c.access, params.task);
      return listActivity(
        { projectId: c.access.projectId, taskId: String(t._id) },
        query.limit,
        query.cursor,
      );
    },
  );

  tag = 'comments';
  const ZCommentBody = z.object({ body: z.string().trim().min(1).max(20_000) });
  const ZCommentParams = ZProjectParams.extend({ commentId: ZObjectId });
  api.op(
    {
      method: 'get',
      path: `${P}/tasks/:task/comments`,
      summary: 'Comments of a task',
      tag,
      auth: 'user',
      params: ZTaskParams,
      query: ZPageQuery,
    },
    async ({ user, params, query }) =>
      listComments(await ctx(user, params.project), params.task, query.limit, query.cursor),
  );
  api.op(
    {
      method: 'post',
      path: `${P}/tasks/:task/comments`,
      summary: 'Comment (with @mentions)',
      tag,
      auth: 'user',
      params: ZTaskParams,
      body: ZCommentBody,
    },
    async ({ user, params, body }) =>
      addComment(await ctx(user, params.project, 'member'), params.task, body.body),
  );
  api.op(
    {
      method: 'patch',
      path: `${P}/comments/:commentId`,
      summary: 'Edit my comment',
      tag,
      auth: 'user',
      params: ZCommentParams,
      body: ZCommentBody,
    },
    async ({ user, params, body }) =>
      editComment(await ctx(user, params.project, 'member'), params.commentId, body.body),
  );
  api.op(
    {
      method: 'delete',
      path: `${P}/comments/:commentId`,
      summary: 'Delete a comment',
      tag,
      auth: 'user',
      params: ZCommentParams,
    },
    async ({ user, params }) => {
      await deleteComment(await ctx(user, params.project, 'member'), params.commentId);
      return undefined;
    },
  );

  tag = 'attachments';
  const ZAttParams = ZProjectParams.extend({ attachmentId: ZObjectId });
  const ZFilename = z.string().trim().min(1).max(255);
  api.op(
    {
      method: 'get',
      path: `${P}/tasks/:task/attachments`,
      summary: 'Attachments of a task',
      tag,
      auth: 'user',
      params: ZTaskParams,
    },
    async ({ user, params }) => listAttachments(await ctx(user, params.project), params.task),
  );
  api.op(
    {
      method: 'post',
      path: `${P}/tasks/:task/attachments`,
      summary: 'Upload a file (raw body, streamed to S3)',
      tag,
      auth: 'user',
      params: ZTaskParams,
      query: z.object({ filename: ZFilename }),
      rawBody: 'application/octet-stream',
    },
    async ({ user, params, query, req }) => {
      const len = req.get('content-length');
      const size = len !== undefined && /^\d+$/.test(len) ? Number(len) : null;
      return uploadAttachment(await ctx(user, params.project, 'member'), params.task, {
        filename: query.filename,
        contentType: req.get('content-type') ?? '',
        size,
        body: req,
      });
    },
  );
  api.op(
    {
      method: 'post',
      path: `${P}/tasks/:task/attachments/presign`,
      summary: 'Presigned PUT upload (then confirm)',
      tag,
      auth: 'user',
      params: ZTaskParams,
      body: z.object({
        filename: ZFilename,
        contentType: z.string().min(3).max(200),
        size: z.number().int().min(1),
      }),
    },
    async ({ user, params, body }) =>
      presignUpload(await ctx(user, params.project, 'member'), params.task, body),
  );
  api.op(
    {
      method: 'post',
      path: `${P}/attachments/:attachmentId/confirm`,
      summary: 'Confirm a presigned upload',
      tag,
      auth: 'user',
      params: ZAttParams,
      status: 200,
    },
    async ({ user, params }) =>
      confirmUpload(await ctx(user, params.project, 'member'), params.attachmentId),
  );
  api.op(
    {
      method: 'get',
      path: `${P}/attachments/:attachmentId/download`,
      summary: 'Download URL (presigned with S3_PUBLIC_ENDPOINT, else /content with a token)',
      tag,
      auth: 'user',
      params: ZAttParams,
      query: z.object({ redirect: z.enum(['true', 'false']).default('false') }),
    },
    async ({ user, params, query, res }) => {
      const r = await downloadUrl(await ctx(user, params.project), params.attachmentId);
      if (query.redirect === 'true') {
        res.redirect(302, r.url);
        return undefined;
      }
      return r;
    },
  );
  api.op(
    {
      method: 'get',
      path: `${P}/attachments/:attachmentId/content`,
      summary: 'Download the file bytes (download token or Bearer; streamed from S3)',
      tag,
      auth: 'public',
      params: ZAttParams,
      query: z.object({ token: z.string().max(200).optional() }),
      raw: true,
    },
    async (op) => {
      const { params, query, res } = op;
      // `op.user` (401 without credentials) is only read when there is no token.
      const a = query.token
        ? await attachmentForToken(deps, params.project, params.attachmentId, query.token)
        : await readableAttachment(await ctx(op.user, params.project), params.attachmentId);
      await streamAttachment(deps, a, res);
      return undefined;
    },
  );
  api.op(
    {
      method: 'delete',
      path: `${P}/attachments/:attachmentId`,
      summary: 'Delete an attachment',
      tag,
      auth: 'user',
      params: ZAttParams,
    },
    async ({ user, params }) => {
      await deleteAttachment(await ctx(user, params.project, 'member'), params.attachmentId);
      return undefined;
    },
  );
}

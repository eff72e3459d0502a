import { z } from 'zod';
import { listActivity } from '../activity/service.ts';
import { ZActivityPage } from '../activity/schemas.ts';
import { removeAttachmentsOf } from '../attachments/service.ts';
import type { Deps } from '../deps.ts';
import type { Principal } from '../platform/auth.ts';
import { ZObjectId, type Api } from '../platform/http.ts';
import type { TProjectRole } from '../projects/model.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import {
  ZBoard,
  ZBoardQuery,
  ZCreateTaskSchema,
  ZMoveTaskSchema,
  ZPageQuery,
  ZTaskListQuery,
  ZTask,
  ZTaskPage,
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
  taskCtx,
  updateTask,
} from './service.ts';

export function taskRoutes(api: Api, deps: Deps): void {
  const ctx = (user: Principal, project: string, min?: TProjectRole) =>
    taskCtx(deps, user, project, min);
  const tag = 'tasks';
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
      response: ZTaskPage,
      errors: [403],
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
      response: ZTask,
      errors: [403],
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
      response: ZBoard,
      errors: [403],
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
      response: ZTask,
      errors: [403],
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
      response: ZTask,
      errors: [403],
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
        response: ZTask,
        errors: [403],
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
        response: ZTask,
        errors: [403],
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
      errors: [403],
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
      response: ZTask,
      errors: [403],
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
      response: ZActivityPage,
      errors: [403],
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
}

// Comments of a task: list, add (with @mentions), edit and delete (author, or a project admin).
import type { Deps } from '../deps.ts';
import type { Api } from '../platform/http.ts';
import { ZPageQuery, ZTaskParams } from '../tasks/schemas.ts';
import { taskCtx } from '../tasks/service.ts';
import { ZComment, ZCommentBody, ZCommentPage, ZCommentParams } from './schemas.ts';
import { addComment, deleteComment, editComment, listComments } from './service.ts';

export function commentRoutes(api: Api, deps: Deps): void {
  const tag = 'comments';
  const P = '/projects/:project';
  api.op(
    {
      method: 'get',
      path: `${P}/tasks/:task/comments`,
      summary: 'Comments of a task',
      tag,
      auth: 'user',
      params: ZTaskParams,
      query: ZPageQuery,
      response: ZCommentPage,
      errors: [403],
    },
    async ({ user, params, query }) =>
      listComments(
        await taskCtx(deps, user, params.project),
        params.task,
        query.limit,
        query.cursor,
      ),
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
      response: ZComment,
      errors: [403],
    },
    async ({ user, params, body }) =>
      addComment(await taskCtx(deps, user, params.project, 'member'), params.task, body.body),
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
      response: ZComment,
      errors: [403],
    },
    async ({ user, params, body }) =>
      editComment(await taskCtx(deps, user, params.project, 'member'), params.commentId, body.body),
  );
  api.op(
    {
      method: 'delete',
      path: `${P}/comments/:commentId`,
      summary: 'Delete a comment',
      tag,
      auth: 'user',
      params: ZCommentParams,
      errors: [403],
    },
    async ({ user, params }) => {
      await deleteComment(await taskCtx(deps, user, params.project, 'member'), params.commentId);
      return undefined;
    },
  );
}

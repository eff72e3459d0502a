import type { Api } from '../platform/http.ts';
import { projectAccess } from '../projects/access.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import type { Principal } from '../platform/auth.ts';
import {
  ZCreateViewSchema,
  ZSavedView,
  ZSavedViewList,
  ZUpdateViewSchema,
  ZViewParams,
} from './schemas.ts';
import { createView, deleteView, getView, listViews, updateView, type ViewCtx } from './service.ts';

export function viewRoutes(api: Api): void {
  // Every role may read and keep views (they change no project data), archived projects too.
  const ctx = async (user: Principal, project: string): Promise<ViewCtx> => ({
    user,
    access: await projectAccess(project, user, 'viewer'),
  });
  const tag = 'views';
  const P = '/projects/:project/views';
  api.op(
    {
      method: 'get',
      path: P,
      summary: 'Saved views: mine and the shared ones',
      tag,
      auth: 'user',
      params: ZProjectParams,
      response: ZSavedViewList,
      errors: [403],
    },
    async ({ user, params }) => listViews(await ctx(user, params.project)),
  );
  api.op(
    {
      method: 'post',
      path: P,
      summary: 'Save a view (filters, sort, layout; optionally shared)',
      tag,
      auth: 'user',
      params: ZProjectParams,
      body: ZCreateViewSchema,
      response: ZSavedView,
      errors: [403, 409],
    },
    async ({ user, params, body }) => createView(await ctx(user, params.project), body),
  );
  api.op(
    {
      method: 'get',
      path: `${P}/:viewId`,
      summary: 'Get a saved view',
      tag,
      auth: 'user',
      params: ZViewParams,
      response: ZSavedView,
      errors: [403],
    },
    async ({ user, params }) => getView(await ctx(user, params.project), params.viewId),
  );
  api.op(
    {
      method: 'patch',
      path: `${P}/:viewId`,
      summary: 'Change a saved view (owner, or a project admin for shared views)',
      tag,
      auth: 'user',
      params: ZViewParams,
      body: ZUpdateViewSchema,
      response: ZSavedView,
      errors: [403, 409],
    },
    async ({ user, params, body }) =>
      updateView(await ctx(user, params.project), params.viewId, body),
  );
  api.op(
    {
      method: 'delete',
      path: `${P}/:viewId`,
      summary: 'Delete a saved view (owner, or a project admin for shared views)',
      tag,
      auth: 'user',
      params: ZViewParams,
      errors: [403],
    },
    async ({ user, params }) => {
      await deleteView(await ctx(user, params.project), params.viewId);
      return undefined;
    },
  );
}

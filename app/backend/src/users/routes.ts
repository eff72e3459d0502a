import type { SessionStore } from '../auth/sessions.ts';
import type { Api } from '../platform/http.ts';
import type { Deps } from '../deps.ts';
import {
  ZCreateUserSchema,
  ZUpdateUserSchema,
  ZUser,
  ZUserIdParams,
  ZUserList,
  ZUserListQuery,
} from './schemas.ts';
import { createUser, getUser, listUsers, updateUser } from './service.ts';

export function userRoutes(api: Api, deps: Deps, sessions: SessionStore): void {
  const tag = 'users';
  api.op(
    {
      method: 'get',
      path: '/users',
      summary: 'Search users (members: users sharing a project, or an exact e-mail)',
      tag,
      auth: 'user',
      query: ZUserListQuery,
      response: ZUserList,
    },
    async ({ user, query }) => ({
      items: await listUsers(query.q, query.limit, user),
    }),
  );
  api.op(
    {
      method: 'get',
      path: '/users/:id',
      summary: 'Get a user (members: users sharing a project)',
      tag,
      auth: 'user',
      params: ZUserIdParams,
      response: ZUser,
    },
    ({ user, params }) => getUser(params.id, user),
  );
  api.op(
    {
      method: 'post',
      path: '/users',
      summary: 'Create a user (admin)',
      tag,
      auth: 'admin',
      body: ZCreateUserSchema,
      response: ZUser,
      errors: [409],
    },
    ({ body }) => createUser(body),
  );
  api.op(
    {
      method: 'patch',
      path: '/users/:id',
      summary: 'Update a user (admin)',
      tag,
      auth: 'admin',
      params: ZUserIdParams,
      body: ZUpdateUserSchema,
      response: ZUser,
    },
    ({ params, body }) => updateUser(params.id, body, sessions),
  );
}

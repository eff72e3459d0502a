import { z } from 'zod';
import { ZObjectId, type Api } from '../platform/http.ts';
import { ZApiTokenList, ZCreatedToken, ZCreateTokenSchema } from './schemas.ts';
import { createToken, listTokens, revokeToken } from './service.ts';

export function tokenRoutes(api: Api): void {
  const tag = 'tokens';
  api.op(
    {
      method: 'get',
      path: '/tokens',
      summary: 'My API tokens',
      tag,
      auth: 'user',
      response: ZApiTokenList,
    },
    async ({ user }) => ({ items: await listTokens(user.userId) }),
  );
  api.op(
    {
      method: 'post',
      path: '/tokens',
      summary: 'Create an API token (shown once)',
      tag,
      auth: 'user',
      body: ZCreateTokenSchema,
      response: ZCreatedToken,
    },
    ({ user, body }) => createToken(user.userId, body),
  );
  api.op(
    {
      method: 'delete',
      path: '/tokens/:id',
      summary: 'Revoke an API token',
      tag,
      auth: 'user',
      params: z.object({ id: ZObjectId }),
    },
    async ({ user, params }) => {
      await revokeToken(user.userId, params.id);
      return undefined;
    },
  );
}

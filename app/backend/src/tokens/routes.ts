import { z } from 'zod';
import { newApiToken, sha256 } from '../auth/tokens.ts';
import { notFound } from '../platform/errors.ts';
import { ZObjectId, type Api } from '../platform/http.ts';
import { ApiToken, toApiToken } from './model.ts';
import { ZApiTokenList, ZCreatedToken, ZCreateTokenSchema } from './schemas.ts';

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
    async ({ user }) => {
      const items = await ApiToken.find({ userId: user.userId }).sort({ createdAt: -1 }).lean();
      return { items: items.map(toApiToken) };
    },
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
    async ({ user, body }) => {
      const token = newApiToken();
      const doc = await ApiToken.create({
        userId: user.userId,
        name: body.name,
        tokenHash: sha256(token),
        prefix: token.slice(0, 10),
        expiresAt: body.expiresInDays
          ? new Date(Date.now() + body.expiresInDays * 86400_000)
          : null,
      });
      return { token, apiToken: toApiToken(doc.toObject()) };
    },
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
      const r = await ApiToken.deleteOne({ _id: params.id, userId: user.userId });
      if (r.deletedCount === 0) throw notFound('API token');
      return undefined;
    },
  );
}

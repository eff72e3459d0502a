import { z } from 'zod';
import { component, ZDateTime, ZId } from '../platform/response.ts';

export const ZCreateTokenSchema = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const ZApiToken = component(
  'ApiToken',
  z.strictObject({
    id: ZId,
    name: z.string(),
    prefix: z.string().describe('The first characters of the token, to recognise it'),
    lastUsedAt: ZDateTime.nullable(),
    expiresAt: ZDateTime.nullable().describe('null: never expires'),
    createdAt: ZDateTime,
  }),
);
export const ZApiTokenList = z.strictObject({ items: z.array(ZApiToken) });
export const ZCreatedToken = z.strictObject({
  token: z.string().describe('The secret (`pms_…`), shown only in this response'),
  apiToken: ZApiToken,
});

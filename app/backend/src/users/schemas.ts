import { z } from 'zod';
import { ZLimit, ZObjectId } from '../platform/http.ts';
import { ZLine } from '../platform/text.ts';
import { component, ZDateTime, ZId } from '../platform/response.ts';

export const ZEmail = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
export const ZPassword = z.string().min(8, 'must be at least 8 characters').max(200);
export const ZName = ZLine(100);

export const ZUserIdParams = z.object({ id: ZObjectId });
export const ZUserListQuery = z.object({ q: z.string().max(100).optional(), limit: ZLimit });
export const ZCreateUserSchema = z.object({
  name: ZName,
  email: ZEmail,
  password: ZPassword,
  role: z.enum(['admin', 'member']).default('member'),
});
export const ZUpdateUserSchema = z
  .object({ name: ZName, role: z.enum(['admin', 'member']), disabled: z.boolean() })
  .partial()
  .strict();

// Responses ---------------------------------------------------------------------------------------

export const ZUser = component(
  'User',
  z.strictObject({
    id: ZId,
    name: z.string(),
    email: z.string().describe('Lower-cased'),
    role: z.enum(['admin', 'member']).describe('Instance role'),
    disabled: z.boolean(),
    createdAt: ZDateTime,
  }),
);
export const ZUserList = z.strictObject({ items: z.array(ZUser) });
/** An admin's reset link: e-mailed, or returned to copy when the instance cannot send mail. */
export const ZResetLink = z.strictObject({
  emailed: z.boolean(),
  resetUrl: z.string().optional().describe('Only when the link was not e-mailed'),
  expiresAt: ZDateTime,
});

import { z } from 'zod';
import { ZLimit, ZObjectId } from '../platform/http.ts';
import { ZLine } from '../platform/text.ts';

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

import { z } from 'zod';
import { ZEmail, ZName, ZPassword } from '../users/schemas.ts';

export const ZLoginSchema = z.object({ email: ZEmail, password: z.string().min(1).max(200) });
export const ZRegisterSchema = z.object({ name: ZName, email: ZEmail, password: ZPassword });
export const ZUpdateMeSchema = z.object({ name: ZName.optional() }).strict();
export const ZChangePasswordSchema = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: ZPassword,
});

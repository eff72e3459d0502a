import { z } from 'zod';
import { ZDateTime, component } from '../platform/response.ts';
import { ZEmail, ZName, ZPassword, ZUser } from '../users/schemas.ts';

export const ZLoginSchema = z.object({ email: ZEmail, password: z.string().min(1).max(200) });
export const ZRegisterSchema = z.object({ name: ZName, email: ZEmail, password: ZPassword });
export const ZUpdateMeSchema = z.object({ name: ZName.optional() }).strict();
export const ZChangePasswordSchema = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: ZPassword,
});

// Responses ---------------------------------------------------------------------------------------

export const ZSession = component(
  'Session',
  z.strictObject({
    accessToken: z.string().describe('JWT for the Authorization: Bearer header'),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    user: ZUser,
  }),
);
export const ZAuthConfig = z.strictObject({
  registrationEnabled: z.boolean(),
  fileUploadEnabled: z.boolean(),
  maxUploadBytes: z.number().int(),
  allowedUploadTypes: z.array(z.string()),
  emailEnabled: z.boolean().describe('Whether invitation and password-reset e-mails are sent'),
});
export const ZMessage = z.strictObject({ message: z.string() });
export const ZResetCheck = z.strictObject({ email: z.string(), expiresAt: ZDateTime });

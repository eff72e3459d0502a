// Password-reset endpoints: the public "forgot password" → e-mailed link → new password flow,
// and an admin's reset link for a user. The public ones are charged to the per-IP credential
// budget (platform/limits.ts), like login.
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { ZTokenSchema, ZToken } from '../invitations/schemas.ts';
import type { Api } from '../platform/http.ts';
import { ZEmail, ZPassword, ZResetLink, ZUserIdParams } from '../users/schemas.ts';
import { ZMessage, ZResetCheck } from './schemas.ts';
import {
  adminResetLink,
  checkResetToken,
  confirmPasswordReset,
  requestPasswordReset,
} from './reset.ts';
import type { AuthSettings } from './service.ts';
import type { LoginThrottle } from './throttle.ts';

const FORGOT_ANSWER = {
  message:
    'If an account exists for this address, we have sent it a link to choose a new password.',
};

export function resetRoutes(
  api: Api,
  deps: Deps,
  settings: AuthSettings,
  throttle: LoginThrottle,
): void {
  const mailDeps = { config: deps.config, queue: deps.queue, logger: deps.logger };
  api.op(
    {
      method: 'post',
      path: '/auth/password/forgot',
      summary: 'Ask for a password-reset e-mail (same answer whether or not the address is known)',
      tag: 'auth',
      auth: 'public',
      body: z.object({ email: ZEmail }).strict(),
      status: 202,
      response: ZMessage,
    },
    async ({ body }) => {
      // Not awaited: the answer (and its timing) must not depend on whether the account exists.
      void requestPasswordReset(
        { ...mailDeps, redis: deps.redis, prefix: deps.config.REDIS_KEY_PREFIX },
        body.email,
      ).catch((err: unknown) => deps.logger.error({ err }, 'password reset request failed'));
      return FORGOT_ANSWER;
    },
  );
  api.op(
    {
      method: 'post',
      path: '/auth/password/check',
      summary: 'Check a password-reset link (404 unknown, 410 used or expired)',
      tag: 'auth',
      auth: 'public',
      body: ZTokenSchema,
      status: 200,
      response: ZResetCheck,
      errors: [404, 410],
    },
    ({ body }) => checkResetToken(body.token),
  );
  api.op(
    {
      method: 'post',
      path: '/auth/password/reset',
      summary: 'Set a new password with a reset link (ends every session of the user)',
      tag: 'auth',
      auth: 'public',
      body: z.object({ token: ZToken, password: ZPassword }).strict(),
      status: 204,
      errors: [404, 410],
    },
    async ({ body }) => {
      const { email } = await confirmPasswordReset(body.token, body.password, settings);
      // A locked-out user who proved control of the mailbox may sign in at once.
      await throttle.succeeded(email);
      return undefined;
    },
  );
  api.op(
    {
      method: 'post',
      path: '/users/:id/password-reset',
      summary:
        'Create a password-reset link for a user (admin; e-mailed, or returned without SMTP)',
      tag: 'users',
      auth: 'admin',
      params: ZUserIdParams,
      response: ZResetLink,
    },
    ({ user, params }) => adminResetLink(mailDeps, user, params.id),
  );
}

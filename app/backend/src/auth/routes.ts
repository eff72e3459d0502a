import type { CookieOptions, Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import { AppError } from '../platform/errors.ts';
import type { Api } from '../platform/http.ts';
import { rateLimit } from '../platform/ratelimit.ts';
import { createUser, getUser, updateUser } from '../users/service.ts';
import {
  ZChangePasswordSchema,
  ZLoginSchema,
  ZRegisterSchema,
  ZUpdateMeSchema,
} from './schemas.ts';
import {
  changePassword,
  endAllSessions,
  login,
  logout,
  refresh,
  startSession,
  type AuthSettings,
  type Session,
} from './service.ts';

export function authRoutes(api: Api, deps: Deps, settings: AuthSettings): void {
  const { config } = deps;
  const tag = 'auth';
  const cookieName = config.REFRESH_COOKIE_NAME;
  const cookieOpts: CookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    path: `${api.prefix}/auth`,
  };
  const secure = (req: Request): boolean =>
    config.COOKIE_SECURE === 'auto' ? req.secure : config.COOKIE_SECURE === 'true';
  const sendSession = (res: Response, s: Session) => {
    res.cookie(cookieName, s.refreshToken, {
      ...cookieOpts,
      secure: secure(res.req),
      maxAge: config.JWT_REFRESH_TTL * 1000,
    });
    res.setHeader('Cache-Control', 'no-store');
    return { accessToken: s.accessToken, expiresIn: s.expiresIn, user: s.user };
  };
  const cookieOf = (req: { cookies?: Record<string, string | undefined> }) =>
    req.cookies?.[cookieName];

  // Stricter limit on credential checks: per client IP and per target email.
  api.router.post(
    '/auth/login',
    rateLimit({
      redis: deps.redis,
      logger: deps.logger,
      name: 'login',
      prefix: config.REDIS_KEY_PREFIX,
      max: () => config.LOGIN_RATE_LIMIT_MAX,
      windowMs: () => config.RATE_LIMIT_WINDOW,
      key: (req) => `${req.ip}`,
    }),
  );

  api.op(
    { method: 'get', path: '/auth/config', summary: 'Public feature flags', tag, auth: 'public' },
    async () => ({
      registrationEnabled: config.ENABLE_REGISTRATION,
      fileUploadEnabled: config.ENABLE_FILE_UPLOAD,
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      allowedUploadTypes: config.UPLOAD_ALLOWED_TYPES,
    }),
  );

  api.op(
    {
      method: 'post',
      path: '/auth/register',
      summary: 'Register (when enabled)',
      tag,
      auth: 'public',
      body: ZRegisterSchema,
    },
    async ({ body, res }) => {
      if (!config.ENABLE_REGISTRATION)
        throw new AppError('feature_disabled', 'Registration is disabled');
      const user = await createUser(body, config.BCRYPT_ROUNDS);
      return sendSession(res, await startSession(user, settings));
    },
  );

  api.op(
    {
      method: 'post',
      path: '/auth/login',
      summary: 'Log in',
      tag,
      auth: 'public',
      body: ZLoginSchema,
      status: 200,
    },
    async ({ body, res }) => sendSession(res, await login(body.email, body.password, settings)),
  );

  api.op(
    {
      method: 'post',
      path: '/auth/refresh',
      summary: 'Rotate the refresh token',
      tag,
      auth: 'public',
      status: 200,
    },
    async ({ req, res }) => {
      const token = cookieOf(req);
      if (!token) throw new AppError('unauthorized', 'No refresh token');
      try {
        return sendSession(res, await refresh(token, settings));
      } catch (err) {
        res.clearCookie(cookieName, cookieOpts);
        throw err;
      }
    },
  );

  api.op(
    { method: 'post', path: '/auth/logout', summary: 'Log out', tag, auth: 'public', status: 204 },
    async ({ req, res }) => {
      await logout(cookieOf(req), settings);
      res.clearCookie(cookieName, cookieOpts);
      return undefined;
    },
  );

  api.op(
    {
      method: 'post',
      path: '/auth/logout-all',
      summary: 'Log out everywhere (every session and access token of the caller)',
      tag,
      auth: 'user',
      status: 204,
    },
    async ({ user, res }) => {
      await endAllSessions(user.userId, settings);
      res.clearCookie(cookieName, cookieOpts);
      return undefined;
    },
  );

  api.op(
    { method: 'get', path: '/auth/me', summary: 'Current user', tag, auth: 'user' },
    ({ user }) => getUser(user.userId),
  );

  api.op(
    {
      method: 'patch',
      path: '/auth/me',
      summary: 'Update my profile',
      tag,
      auth: 'user',
      body: ZUpdateMeSchema,
    },
    ({ user, body }) => updateUser(user.userId, body, settings.sessions),
  );

  api.op(
    {
      method: 'post',
      path: '/auth/password',
      summary: 'Change my password',
      tag,
      auth: 'user',
      body: ZChangePasswordSchema,
      status: 204,
    },
    async ({ user, body, res }) => {
      await changePassword(user.userId, body.currentPassword, body.newPassword, settings);
      res.clearCookie(cookieName, cookieOpts);
      return undefined;
    },
  );
}

import type { CookieOptions, Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import { AppError } from '../platform/errors.ts';
import type { Api } from '../platform/http.ts';
import { ZUser } from '../users/schemas.ts';
import { createUser, getUser, updateUser } from '../users/service.ts';
import {
  ZChangePasswordSchema,
  ZLoginSchema,
  ZAuthConfig,
  ZRegisterSchema,
  ZSession,
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
import { resetRoutes } from './reset-routes.ts';
import { createLoginThrottle } from './throttle.ts';

export function authRoutes(api: Api, deps: Deps, settings: AuthSettings): void {
  const { config } = deps;
  const tag = 'auth';
  const cookieName = config.REFRESH_COOKIE_NAME;
  const cookieOpts: CookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    path: `${api.prefix}/auth`,
  };
  // `auto`: HTTPS as seen directly or through a trusted proxy (TRUST_PROXY), or an https
  // FRONTEND_URL (TRUST_PROXY is off by default, so a TLS ingress alone is not visible here).
  const frontendHttps = new URL(config.FRONTEND_URL).protocol === 'https:';
  const secure = (req: Request): boolean =>
    config.COOKIE_SECURE === 'auto' ? req.secure || frontendHttps : config.COOKIE_SECURE === 'true';
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

  // Failed logins are throttled per account and per client IP (see throttle.ts).
  const throttle = createLoginThrottle({
    redis: deps.redis,
    prefix: config.REDIS_KEY_PREFIX,
    logger: deps.logger,
    settings: () => ({
      accountFailures: config.LOGIN_ACCOUNT_MAX_FAILURES,
      ipFailures: config.LOGIN_RATE_LIMIT_MAX,
      baseLockMs: config.LOGIN_LOCKOUT_BASE_MS,
      maxLockMs: config.LOGIN_LOCKOUT_MAX_MS,
      counterTtlMs: Math.max(4 * config.LOGIN_LOCKOUT_MAX_MS, config.RATE_LIMIT_WINDOW),
    }),
  });

  api.op(
    {
      method: 'get',
      path: '/auth/config',
      summary: 'Public feature flags',
      tag,
      auth: 'public',
      response: ZAuthConfig,
    },
    async () => ({
      registrationEnabled: config.ENABLE_REGISTRATION,
      fileUploadEnabled: config.ENABLE_FILE_UPLOAD,
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      allowedUploadTypes: config.UPLOAD_ALLOWED_TYPES,
      // Whether invitation and password-reset e-mails can be sent (else admins copy links).
      emailEnabled: Boolean(config.SMTP_HOST && deps.queue),
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
      response: ZSession,
      errors: [403, 409],
    },
    async ({ body, res }) => {
      if (!config.ENABLE_REGISTRATION)
        throw new AppError('feature_disabled', 'Registration is disabled');
      const user = await createUser(body);
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
      response: ZSession,
      errors: [401],
    },
    async ({ req, body, res }) => {
      const ip = req.ip ?? 'unknown';
      const waitMs = await throttle.wait(body.email, ip);
      if (waitMs > 0)
        throw new AppError('rate_limited', 'Too many failed logins, try again later', {
          headers: { 'Retry-After': String(Math.ceil(waitMs / 1000)) },
        });
      let session: Session;
      try {
        session = await login(body.email, body.password, settings);
      } catch (err) {
        if (err instanceof AppError && err.code === 'invalid_credentials')
          await throttle.failed(body.email, ip);
        throw err;
      }
      await throttle.succeeded(body.email);
      return sendSession(res, session);
    },
  );

  api.op(
    {
      method: 'post',
      path: '/auth/refresh',
      summary: 'Rotate the refresh token (the httpOnly refresh cookie)',
      tag,
      auth: 'public',
      status: 200,
      response: ZSession,
      errors: [401],
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
    {
      method: 'get',
      path: '/auth/me',
      summary: 'Current user',
      tag,
      auth: 'user',
      response: ZUser,
    },
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
      response: ZUser,
    },
    ({ user, body }) => updateUser(user.userId, body, settings.sessions),
  );

  resetRoutes(api, deps, settings, throttle);

  api.op(
    {
      method: 'post',
      path: '/auth/password',
      summary: 'Change my password',
      tag,
      auth: 'user',
      body: ZChangePasswordSchema,
      status: 204,
      errors: [401],
    },
    async ({ user, body, res }) => {
      await changePassword(user.userId, body.currentPassword, body.newPassword, settings);
      res.clearCookie(cookieName, cookieOpts);
      return undefined;
    },
  );
}

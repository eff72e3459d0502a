// buildApp(deps): the Express application, without listening (main.ts listens; tests listen on
// port 0 in-process).
import compression from 'compression';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import { authRoutes } from './auth/routes.ts';
import { verifyBearer, type AuthSettings } from './auth/service.ts';
import { createSessionStore } from './auth/sessions.ts';
import type { Deps } from './deps.ts';
import { invitationRoutes } from './invitations/routes.ts';
import { liveRoutes } from './events/routes.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { authenticate, principalOf } from './platform/auth.ts';
import { errorHandler, notFoundHandler } from './platform/errors.ts';
import { readiness } from './platform/health.ts';
import { attachmentRoutes } from './attachments/routes.ts';
import { commentRoutes } from './comments/routes.ts';
import { Api } from './platform/http.ts';
import { requestLogger } from './platform/logger.ts';
import { searchRoutes } from './search/routes.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import { DOCS_CSP, docsHtml } from './platform/docs-page.ts';
import { buildOpenApi } from './platform/openapi.ts';
import { limitPolicy } from './platform/limits.ts';
import { rateLimit } from './platform/ratelimit.ts';
import { maintenanceMode, rejectOperatorInjection } from './platform/security.ts';
import { projectRoutes } from './projects/routes.ts';
import { taskRoutes } from './tasks/routes.ts';
import { tokenRoutes } from './tokens/routes.ts';
import { IMPORT_UPLOAD_PATH, transferRoutes } from './transfer/routes.ts';
import { userRoutes } from './users/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { viewRoutes } from './views/routes.ts';

export interface BuiltApp {
  app: Express;
  metrics: Metrics;
  api: Api;
}

const isUpload = (req: Request) =>
  req.method === 'POST' &&
  (/\/tasks\/[^/]+\/attachments\/?$/.test(req.path) || IMPORT_UPLOAD_PATH.test(req.path));

export function buildApp(deps: Deps): BuiltApp {
  const { config, logger } = deps;
  const app = express();
  const metrics = createMetrics();
  const prefix = `/api/${config.API_VERSION}`;
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.set('query parser', 'simple');

  app.use(requestLogger(logger));
  if (config.ENABLE_METRICS) app.use(metrics.middleware);
  if (config.HELMET_ENABLED) app.use(helmet());
  app.use(
    cors({
      // Allow-list: only the configured origins (and the frontend) get CORS headers.
      origin: [...new Set([...config.CORS_ORIGINS, new URL(config.FRONTEND_URL).origin])],
      credentials: true,
      exposedHeaders: [
        'X-Request-Id',
        'Retry-After',
        'ETag',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        'RateLimit-Policy',
      ],
      maxAge: 600,
    }),
  );
  if (config.COMPRESSION_ENABLED) app.use(compression());

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const r = await readiness(deps.redis, deps.storage);
    res.status(r.status === 'unready' ? 503 : 200).json(r);
  });
  // With METRICS_PORT set, /metrics is served by a separate listener only (see main.ts).
  if (config.ENABLE_METRICS && !config.METRICS_PORT)
    app.get('/metrics', async (_req, res) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.send(await metrics.registry.metrics());
    });

  app.use(maintenanceMode(() => config.MAINTENANCE_MODE));
  app.use(cookieParser());
  app.use(
    express.json({
      limit: '1mb',
      type: (req) =>
        !isUpload(req as Request) && /json/i.test(String(req.headers['content-type'] ?? '')),
    }),
  );
  app.use(rejectOperatorInjection);

  const settings: AuthSettings = {
    secret: new TextEncoder().encode(config.JWT_SECRET),
    accessTtl: config.JWT_ACCESS_TTL,
    refreshTtl: config.JWT_REFRESH_TTL,
    refreshGraceMs: config.REFRESH_GRACE_SECONDS * 1000,
    sessions: createSessionStore({
      redis: deps.redis,
      prefix: config.REDIS_KEY_PREFIX,
      ttlSeconds: config.AUTH_CACHE_TTL,
      logger,
    }),
  };
  const router = express.Router();
  // Responses are checked against their schemas while developing and testing, never in production.
  const api = new Api(router, prefix, {
    checkResponses: config.NODE_ENV !== 'production',
    logger,
  });
  router.use(authenticate((token) => verifyBearer(token, settings)));
  router.use(
    rateLimit({
      redis: deps.redis,
      logger,
      prefix: config.REDIS_KEY_PREFIX,
      policy: (req) => limitPolicy(req, config, principalOf(req)?.userId),
      now: () => deps.clock?.() ?? Date.now(),
    }),
  );
  authRoutes(api, deps, settings);
  userRoutes(api, deps, settings.sessions);
  invitationRoutes(api, deps);
  tokenRoutes(api);
  projectRoutes(api, deps);
  taskRoutes(api, deps);
  commentRoutes(api, deps);
  attachmentRoutes(api, deps);
  transferRoutes(api, deps);
  searchRoutes(api, deps);
  viewRoutes(api);
  webhookRoutes(api, deps);
  notificationRoutes(api, deps);
  liveRoutes(api, deps);

  let openapi: unknown;
  router.get('/openapi.json', (_req, res) => {
    openapi ??= buildOpenApi(api.operations, {
      version: config.API_VERSION,
      serverUrl: config.BACKEND_URL,
    });
    res.json(openapi);
  });
  app.get('/api/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.type('html').send(docsHtml(`${prefix}/openapi.json`));
  });
  app.use(prefix, router);

  app.use(notFoundHandler);
  app.use(errorHandler({ logger, exposeStack: config.NODE_ENV === 'development' }));
  return { app, metrics, api };
}

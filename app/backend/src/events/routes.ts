// Live events over server-sent events: GET /projects/:project/events (the project's changes plus
// the caller's own notification events) and GET /me/events (the caller's events only). One hub
// per app (= per backend process); closeLiveStreams() ends every stream at shutdown.
import type { Deps } from '../deps.ts';
import type { Api } from '../platform/http.ts';
import { projectAccess } from '../projects/access.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import { LiveHub } from './hub.ts';
import { createStreamSlots } from './slots.ts';
import { serveStream, type StreamSettings } from './stream.ts';

const hubs = new Set<LiveHub>();

/** Ends every open live stream of this process (graceful shutdown: clients reconnect elsewhere). */
export function closeLiveStreams(): void {
  for (const h of hubs) h.close();
}

export function liveRoutes(api: Api, deps: Deps): void {
  const { config } = deps;
  const hub = new LiveHub({
    redis: deps.redis,
    bus: deps.events,
    logger: deps.logger,
    name: `${config.REDIS_KEY_PREFIX}live-subscriber`,
  });
  hubs.add(hub);
  const settings: StreamSettings = {
    maxPerUser: config.LIVE_MAX_STREAMS_PER_USER,
    heartbeatMs: config.LIVE_HEARTBEAT_SECONDS * 1000,
    maxLifetimeMs: config.LIVE_STREAM_MAX_SECONDS * 1000,
    replayMax: config.LIVE_REPLAY_MAX,
    retryMs: 3000,
  };
  const slots = createStreamSlots({
    redis: deps.redis,
    prefix: config.REDIS_KEY_PREFIX,
    limit: settings.maxPerUser,
    leaseMs: settings.heartbeatMs * 3,
  });
  const tag = 'live';

  api.op(
    {
      method: 'get',
      path: '/projects/:project/events',
      summary:
        'Live events of a project (text/event-stream; replays after Last-Event-ID). See API.md "Live events".',
      tag,
      auth: 'user',
      params: ZProjectParams,
      raw: true,
      produces: ['text/event-stream'],
      errors: [429],
    },
    async ({ req, res, user, params }) => {
      // Checked once here and again whenever the project's membership changes.
      const { projectId } = await projectAccess(params.project, user);
      await serveStream({
        req,
        res,
        user,
        projectId,
        hub,
        slots,
        settings,
        logger: deps.logger,
        mayRead: () =>
          projectAccess(projectId, user).then(
            () => true,
            () => false,
          ),
      });
    },
  );
  api.op(
    {
      method: 'get',
      path: '/me/events',
      summary: "The caller's own live events (notifications; text/event-stream)",
      tag,
      auth: 'user',
      raw: true,
      produces: ['text/event-stream'],
      errors: [429],
    },
    async ({ req, res, user }) => {
      await serveStream({
        req,
        res,
        user,
        projectId: null,
        hub,
        slots,
        settings,
        logger: deps.logger,
        mayRead: async () => true,
      });
    },
  );
}

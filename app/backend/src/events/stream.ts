// One open live stream: headers that keep every hop from buffering, the replay after
// Last-Event-ID, live delivery from the hub, heartbeats, and the clean-up when either side ends.
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Principal } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import type { ProjectEvent, UserEvent } from './bus.ts';
import type { HubStream, LiveHub } from './hub.ts';
import { replaySince } from './replay.ts';
import type { StreamSlots } from './slots.ts';
import { formatComment, formatMessage, formatRetry, type SseMessage } from './sse.ts';

export interface StreamSettings {
  maxPerUser: number;
  heartbeatMs: number;
  maxLifetimeMs: number;
  replayMax: number;
  /** Reconnect delay the client is told to use (SSE `retry:`). */
  retryMs: number;
}

/** A client this far behind (unsent bytes) is dropped; it reconnects and replays. */
const MAX_BUFFERED_BYTES = 1 << 20;

export interface ServeOptions {
  req: Request;
  res: Response;
  user: Principal;
  projectId: string | null;
  hub: LiveHub;
  slots: StreamSlots;
  settings: StreamSettings;
  logger: Logger;
  /** Resolves false once the user may no longer read the project. */
  mayRead: () => Promise<boolean>;
}

export async function serveStream(o: ServeOptions): Promise<void> {
  const { req, res, user, settings } = o;
  const streamId = randomUUID();
  if (!(await o.slots.acquire(user.userId, streamId)))
    throw new AppError(
      'rate_limited',
      `Too many open live streams: at most ${settings.maxPerUser} per user. Close other tabs or windows of this app, then reload.`,
      { headers: { 'Retry-After': String(Math.ceil(settings.heartbeatMs / 1000)) } },
    );

  if (res.closed || req.socket.destroyed) {
    // The client left while the slot was taken.
    await o.slots.release(user.userId, streamId);
    return;
  }
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  // no-transform: compression middlewares (the backend's and Next's) leave the stream alone;
  // X-Accel-Buffering: nginx-style proxies pass each message on at once.
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  req.socket.setNoDelay(true);

  let closed = false;
  // Events that arrive while the replay is read are held, then sent without duplicates.
  let pending: ProjectEvent[] | null = [];
  const replayed = new Set<string>();

  const write = (chunk: string) => {
    if (closed) return;
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED_BYTES) stream.end('client too slow');
  };
  const send = (m: SseMessage) => write(formatMessage(m));
  const sendProject = (e: ProjectEvent) => send({ id: e.id, event: 'project', data: e });

  const stream: HubStream = {
    userId: user.userId,
    projectId: o.projectId,
    project(e) {
      if (pending) pending.push(e);
      else sendProject(e);
    },
    user(e: UserEvent) {
      send({ event: 'user', data: e });
    },
    membershipChanged() {
      o.mayRead()
        .then((ok) => {
          if (!ok) stream.end('access revoked');
        })
        .catch(() => undefined);
    },
    end(reason) {
      if (closed) return;
      send({ event: 'end', data: { reason } });
      cleanup();
      res.end();
    },
  };

  const heartbeat = setInterval(() => {
    write(formatComment('heartbeat'));
    void o.slots.refresh(user.userId, streamId);
  }, settings.heartbeatMs);
  // ±10 %: streams opened together (after a deploy) do not all renew together.
  const lifetime = setTimeout(
    () => stream.end('stream lifetime reached'),
    settings.maxLifetimeMs * (0.9 + 0.2 * Math.random()),
  );
  function cleanup() {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    o.hub.remove(stream);
    void o.slots.release(user.userId, streamId);
  }
  res.on('close', cleanup);

  write(formatRetry(settings.retryMs));
  const subscribed = await o.hub.add(stream);

  const lastId = req.get('last-event-id')?.trim();
  let count = 0;
  if (lastId && o.projectId) {
    const r = await replaySince(o.projectId, lastId, settings.replayMax).catch((err: Error) => {
      o.logger.warn({ err: err.message }, 'live replay failed');
      return { kind: 'reset', reason: 'replay-failed' } as const;
    });
    if (r.kind === 'reset') send({ event: 'reset', data: { reason: r.reason } });
    else
      for (const e of r.events) {
        replayed.add(e.id);
        sendProject(e);
      }
    count = r.kind === 'events' ? r.events.length : 0;
  }
  send({ event: 'ready', data: { subscribed, replayed: count, projectId: o.projectId } });
  const held = pending ?? [];
  pending = null;
  for (const e of held) if (!replayed.has(e.id)) sendProject(e);
}

// The fan-out of one backend process: ONE Redis connection in subscriber mode (PSUBSCRIBE to every
// project's and every user's channel) dispatches each message to the streams open in this
// process. Every replica runs its own hub, so an event published by any replica reaches every
// stream on every replica. The connection exists only while streams are open here.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventBus, ProjectEvent, UserEvent } from './bus.ts';

export interface HubStream {
  readonly userId: string;
  /** null: a user-only stream (/me/events). */
  readonly projectId: string | null;
  project(event: ProjectEvent): void;
  user(event: UserEvent): void;
  /** Someone's project role changed: the stream re-checks that its user may still read. */
  membershipChanged(): void;
  /** The subscriber lost messages (Redis reconnect): the stream ends so the client replays. */
  end(reason: string): void;
}

const SUBSCRIBE_TIMEOUT_MS = 2000;

function add<K, V>(m: Map<K, Set<V>>, k: K, v: V) {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function del<K, V>(m: Map<K, Set<V>>, k: K, v: V) {
  const s = m.get(k);
  s?.delete(v);
  if (s?.size === 0) m.delete(k);
}

export class LiveHub {
  readonly #redis: Redis;
  readonly #bus: EventBus;
  readonly #logger: Logger;
  readonly #byProject = new Map<string, Set<HubStream>>();
  readonly #byUser = new Map<string, Set<HubStream>>();
  #sub: Redis | null = null;
  #subscribed: Promise<boolean> | null = null;
  readonly #name: string;

  constructor(opts: { redis: Redis; bus: EventBus; logger: Logger; name: string }) {
    this.#name = opts.name;
    this.#redis = opts.redis;
    this.#bus = opts.bus;
    this.#logger = opts.logger;
  }

  get size(): number {
    let n = 0;
    for (const s of this.#byUser.values()) n += s.size;
    return n;
  }

  /** Registers a stream; resolves true once the subscription is live (false: Redis unreachable). */
  add(stream: HubStream): Promise<boolean> {
    add(this.#byUser, stream.userId, stream);
    if (stream.projectId) add(this.#byProject, stream.projectId, stream);
    return this.#ensureSubscriber();
  }

  remove(stream: HubStream): void {
    del(this.#byUser, stream.userId, stream);
    if (stream.projectId) del(this.#byProject, stream.projectId, stream);
    if (this.size === 0) this.#dropSubscriber();
  }

  /** Ends every stream and the subscriber (shutdown, tests). */
  close(reason = 'server shutting down'): void {
    for (const set of [...this.#byUser.values()]) for (const s of [...set]) s.end(reason);
    this.#byUser.clear();
    this.#byProject.clear();
    this.#dropSubscriber();
  }

  /** Routes one pub/sub message to the local streams (exported for the subscriber only). */
  dispatch(channel: string, message: string): void {
    const projectBase = this.#bus.channel('');
    const userBase = this.#bus.userChannel('');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (channel.startsWith(projectBase)) {
      const event = parsed as ProjectEvent;
      const streams = this.#byProject.get(channel.slice(projectBase.length));
      if (!streams) return;
      for (const s of [...streams]) s.project(event);
      if (event.type.startsWith('member.')) for (const s of [...streams]) s.membershipChanged();
    } else if (channel.startsWith(userBase)) {
      const event = parsed as UserEvent;
      for (const s of [...(this.#byUser.get(channel.slice(userBase.length)) ?? [])]) s.user(event);
    }
  }

  #ensureSubscriber(): Promise<boolean> {
    if (this.#subscribed) return this.#subscribed;
    // A duplicate of the app's client, but allowed to queue commands while (re)connecting: the
    // subscription must survive Redis restarts (ioredis re-subscribes on reconnect by itself).
    const sub = this.#redis.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      lazyConnect: false,
      // Named so operators (CLIENT LIST) and tests can tell it from the other connections.
      connectionName: this.#name,
    });
    this.#sub = sub;
    let readyOnce = false;
    sub.on('error', () => undefined); // the main client reports Redis errors
    sub.on('pmessage', (_pattern: string, channel: string, message: string) =>
      this.dispatch(channel, message),
    );
    sub.on('ready', () => {
      if (!readyOnce) {
        readyOnce = true;
        return;
      }
      // Messages published while we were disconnected are gone: end the streams so each
      // client reconnects with Last-Event-ID and replays them from the activity log.
      this.#logger.info('live subscriber reconnected; asking clients to resume');
      for (const set of [...this.#byUser.values()])
        for (const s of [...set]) s.end('subscriber reconnected');
    });
    const subscribed = sub
      .psubscribe(this.#bus.pattern, this.#bus.userPattern)
      .then(() => true)
      .catch((err: Error) => {
        this.#logger.warn({ err: err.message }, 'live subscriber could not subscribe');
        return false;
      });
    const timeout = new Promise<boolean>((r) =>
      setTimeout(() => r(false), SUBSCRIBE_TIMEOUT_MS).unref(),
    );
    this.#subscribed = Promise.race([subscribed, timeout]);
    return this.#subscribed;
  }

  #dropSubscriber(): void {
    this.#sub?.disconnect();
    this.#sub = null;
    this.#subscribed = null;
  }
}

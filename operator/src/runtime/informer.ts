// One informer per watched kind: list, then watch from the list's resourceVersion with
// bookmarks, relist only when the server says the resourceVersion expired (410).
//
// Built on client-node's `Watch` and `KubernetesObjectApi.list` rather than its `ListWatch`:
// ListWatch stops for good on any error other than 410, and it cannot be restarted safely
// while a list or a watch connect is still in flight (the late request overwrites its handle
// and keeps watching after stop()). Here every (re)start is a generation: callbacks of an
// older generation are ignored and its request aborted. On any error the informer restarts
// with exponential back-off and resumes from the last resourceVersion (no replay of every
// object), and a staleness watchdog restarts a watch that shows no sign of life: a healthy
// one sees events, bookmarks or reconnects at least every 30 s (client-node's inactivity
// timeout), so `staleAfterMs` (default 2 min) catches a hung connection.
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { WatchedKind } from '../controller/types.ts';
import { apiErrorCode } from '../kube-errors.ts';
import { describeError, type Logger } from '../log.ts';
import { pagedList, type PagedListResult } from './list.ts';

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T extends KubernetesObject> = (type: InformerEvent, obj: T) => void;

export interface InformerOptions {
  kc: KubeConfig;
  kind: WatchedKind;
  /** Watch one namespace; undefined or '' watches all namespaces. */
  namespace?: string;
  /** Defaults to `kind.labelSelector`. */
  labelSelector?: string;
  log: Logger;
  /** First restart delay; doubles per consecutive failure up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Restart a running watch that showed no sign of life for this long. */
  staleAfterMs?: number;
  /**
   * A watch that lived at least this long resets the back-off (default 10 s); one that ends
   * sooner, cleanly or not, backs off further, so a server or proxy that accepts watches and
   * closes them at once is not hammered every minBackoffMs forever.
   */
  healthyWatchMs?: number;
  /** A list that takes longer than this counts as failed. */
  listTimeoutMs?: number;
  /**
   * Without a transform: keep this field manager's managedFields entries in the cache (all
   * others are dropped; managedFields are often most of an object's size).
   */
  keepManagedFieldsOf?: string;
  /**
   * Instead of the managedFields filter: what enters the cache of each decoded object, e.g.
   * runtime/strip.ts (the cache keeps only what its readers use).
   */
  transform?: (obj: KubernetesObject) => KubernetesObject;
  /** Objects per page of the (re)list (default 500, client-go's pager default). */
  listPageSize?: number;
  /**
   * Secondary indexes: name → the index values of an object (e.g. `namespace/instance`).
   * `byIndex(name, value)` returns the cached objects with that value without a scan.
   */
  indexers?: Record<string, (obj: KubernetesObject) => string[]>;
  onRestart?: (reason: string) => void;
}

/** The REST collection path of a kind, e.g. /apis/apps/v1/namespaces/ns/deployments. */
export function collectionPath(kind: WatchedKind, namespace?: string): string {
  const root = kind.apiVersion.includes('/')
    ? `/apis/${kind.apiVersion}`
    : `/api/${kind.apiVersion}`;
  return `${root}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${kind.plural}`;
}

type State = 'idle' | 'running' | 'backoff' | 'stopped';

const objKey = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class Informer<T extends KubernetesObject = KubernetesObject> {
  readonly kind: WatchedKind;
  private readonly watch: Watch;
  private readonly listFn: (
    onItem: (obj: T) => void,
    onRestart: () => void,
  ) => Promise<PagedListResult>;
  private readonly transform: ((obj: KubernetesObject) => KubernetesObject) | undefined;
  private readonly indexers: Record<string, (obj: KubernetesObject) => string[]>;
  /** index name → index value → object keys */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private lastList: PagedListResult | undefined;
  private readonly path: string;
  private readonly labelSelector: string | undefined;
  private readonly log: Logger;
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly staleAfterMs: number;
  private readonly healthyWatchMs: number;
  private readonly listTimeoutMs: number;
  private readonly keepManagedFieldsOf: string | undefined;
  private readonly onRestart: ((reason: string) => void) | undefined;
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private gen = 0;
  private request: AbortController | undefined;
  private state: State = 'idle';
  private failures = 0;
  private lastActivity = Date.now();
  private connectedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private syncedOnce = false;
  private syncWaiters: Array<() => void> = [];
  private restarts = 0;

  constructor(opts: InformerOptions) {
    this.kind = opts.kind;
    this.log = opts.log.child({ informer: `${opts.kind.plural}.${opts.kind.apiVersion}` });
    this.minBackoffMs = opts.minBackoffMs ?? 500;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.staleAfterMs = opts.staleAfterMs ?? 120_000;
    this.healthyWatchMs = opts.healthyWatchMs ?? 10_000;
    this.listTimeoutMs = opts.listTimeoutMs ?? 60_000;
    this.keepManagedFieldsOf = opts.keepManagedFieldsOf;
    this.onRestart = opts.onRestart;
    const labelSelector = opts.labelSelector ?? opts.kind.labelSelector;
    this.labelSelector = labelSelector;
    const namespace = opts.namespace || undefined;
    this.path = collectionPath(opts.kind, namespace);
    this.watch = new Watch(opts.kc);
    this.transform = opts.transform;
    this.indexers = opts.indexers ?? {};
    for (const name of Object.keys(this.indexers)) this.indexes.set(name, new Map());
    const limit = opts.listPageSize ?? 500;
    const { kc, kind } = opts;
    this.listFn = (onItem, onRestart) =>
      pagedList(kc, this.path, kind, {
        labelSelector,
        limit,
        onItem: (o) => onItem(o as T),
        onRestart,
      });
  }

  /** The label selector this informer lists and watches with (undefined = everything). */
  get selector(): string | undefined {
    return this.labelSelector;
  }

  /** Pages and restarts of the last (re)list (for tests and diagnostics). */
  get lastListStats(): PagedListResult | undefined {
    return this.lastList;
  }

  /** Cached objects whose indexer `name` yields `value`; [] for an unknown index. */
  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.cache.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  private index(k: string, obj: T | undefined, add: boolean): void {
    if (!obj) return;
    for (const [name, fn] of Object.entries(this.indexers)) {
      const idx = this.indexes.get(name);
      if (!idx) continue;
      for (const v of fn(obj)) {
        let set = idx.get(v);
        if (add) {
          if (!set) idx.set(v, (set = new Set()));
          set.add(k);
        } else if (set) {
          set.delete(k);
          if (set.size === 0) idx.delete(v);
        }
      }
    }
  }

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  /** Objects currently known (the informer's cache). */
  list(): T[] {
    return [...this.cache.values()];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  /** True once the first list succeeded. */
  get synced(): boolean {
    return this.syncedOnce;
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** The resourceVersion the next watch resumes from ('' = relist). */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /**
   * Starts the informer (once; later calls only wait) and resolves once the first list
   * succeeded or the informer stopped.
   */
  start(): Promise<void> {
    if (this.state === 'idle') {
      const interval = Math.max(50, Math.min(this.staleAfterMs / 4, 30_000));
      this.watchdog = setInterval(() => this.checkStale(), interval);
      this.watchdog.unref();
      void this.run();
    }
    return this.whenSynced();
  }

  /** Resolves once the first list succeeded or the informer stopped. */
  whenSynced(): Promise<void> {
    if (this.syncedOnce || this.state === 'stopped') return Promise.resolve();
    return new Promise<void>((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.gen += 1;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    this.request?.abort();
    this.request = undefined;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  /** Forces a restart as after an error (the watchdog uses it; so can tests). */
  restart(reason: string): void {
    if (this.state !== 'running') return;
    this.scheduleRestart(reason, true);
  }

  private emit(type: InformerEvent, obj: T): void {
    for (const h of this.handlers) {
      try {
        h(type, obj);
      } catch (err) {
        this.log.error('informer handler threw', { error: describeError(err) });
      }
    }
  }

  /** What the cache keeps of a decoded object (stripped in place). */
  private prepare(input: T): T {
    // A transform decides itself what to keep (managedFields included).
    if (this.transform) return this.transform(input) as T;
    // managedFields are often most of an object's size; only our own manager's are read.
    const meta = input.metadata;
    if (meta?.managedFields) {
      const keep = this.keepManagedFieldsOf;
      const own = keep ? meta.managedFields.filter((m) => m.manager === keep) : [];
      if (own.length > 0) meta.managedFields = own;
      else delete meta.managedFields;
    }
    return input;
  }

  /** `obj` is already prepared. */
  private upsert(obj: T): void {
    const k = objKey(obj);
    const old = this.cache.get(k);
    this.index(k, old, false);
    this.cache.set(k, obj);
    this.index(k, obj, true);
    if (!old) this.emit('add', obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
      this.emit('update', obj);
  }

  private remove(obj: T): void {
    const k = objKey(obj);
    this.index(k, this.cache.get(k), false);
    if (this.cache.delete(k)) this.emit('delete', obj);
  }

  private touch(): void {
    this.lastActivity = Date.now();
  }

  private async run(): Promise<void> {
    if (this.state === 'stopped') return;
    const g = ++this.gen;
    this.state = 'running';
    this.touch();
    try {
      if (!this.resourceVersion) {
        // Objects are collected (already stripped) and applied once the last page arrived,
        // so a list that fails half-way leaves the cache as it was.
        let items = new Map<string, T>();
        const list = await withTimeout(
          this.listFn(
            (item) => {
              const o = this.prepare(item);
              items.set(objKey(o), o);
            },
            () => {
              items = new Map();
            },
          ),
          this.listTimeoutMs,
          'list',
        );
        if (g !== this.gen) return;
        this.lastList = list;
        for (const item of items.values()) this.upsert(item);
        for (const [k, old] of this.cache) if (!items.has(k)) this.remove(old);
        this.resourceVersion = list.resourceVersion;
        this.touch();
        if (!this.syncedOnce) {
          this.syncedOnce = true;
          this.log.debug('informer synced', { objects: this.cache.size });
          for (const w of this.syncWaiters.splice(0)) w();
        }
      }
      const query: Record<string, string | boolean | number> = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        // Spread reconnects like client-go's reflector (5-10 minutes).
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      };
      if (this.labelSelector) query.labelSelector = this.labelSelector;
      const controller = await this.watch.watch(
        this.path,
        query,
        (phase: string, obj: T & { code?: number }) => {
          if (g === this.gen) this.onWatchEvent(phase, obj);
        },
        (err: unknown) => {
          if (g === this.gen) this.onDone(err);
        },
      );
      if (g !== this.gen) {
        controller.abort();
        return;
      }
      // Watch.watch reports a failed connect through the done callback before it returns, so
      // reaching here with the same generation means the watch is established.
      // The back-off is not reset here: a watch that connects and dies at once is no success.
      this.request = controller;
      this.connectedAt = Date.now();
    } catch (err) {
      if (g === this.gen) this.onError(err);
    }
  }

  private onWatchEvent(phase: string, obj: T & { code?: number; message?: string }): void {
    this.touch();
    switch (phase) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(this.prepare(obj));
        break;
      case 'DELETED':
        this.remove(obj);
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR':
        // 410 Gone: our resourceVersion is too old; the server closes the watch, we relist.
        if (obj.code === 410) this.resourceVersion = '';
        else this.log.warn('watch error event', { code: obj.code, message: obj.message });
        return;
      default:
        return;
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
  }

  private onDone(err: unknown): void {
    this.request = undefined;
    const lived = this.connectedAt > 0 ? Date.now() - this.connectedAt : 0;
    this.connectedAt = 0;
    // Only a watch that lived long enough proves the connection healthy.
    if (lived >= this.healthyWatchMs) this.failures = 0;
    const name = (err as { name?: string } | null)?.name;
    if (!err || name === 'TimeoutError') {
      // Server closed the watch (timeoutSeconds) or client-node's inactivity timeout fired:
      // reconnect from the last resourceVersion at once; watches that die young back off.
      if (lived < this.healthyWatchMs) this.scheduleRestart('closed early', false);
      else void this.run();
      return;
    }
    this.onError(err);
  }

  /** Consecutive failures (the back-off exponent); for tests and diagnostics. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  private onError(err: unknown): void {
    if (this.state !== 'running') return;
    const code = apiErrorCode(err);
    // A resourceVersion the server no longer has: relist.
    if (code === 410) this.resourceVersion = '';
    this.log.warn('list/watch failed, restarting with back-off', {
      error: describeError(err),
      code,
    });
    this.scheduleRestart('error', true);
  }

  private scheduleRestart(reason: string, count: boolean): void {
    this.state = 'backoff';
    this.gen += 1;
    this.request?.abort();
    this.request = undefined;
    const base = Math.min(this.minBackoffMs * 2 ** this.failures, this.maxBackoffMs);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.failures = Math.min(this.failures + 1, 30);
    if (count) {
      this.restarts += 1;
      this.onRestart?.(reason);
    }
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.run(), delay);
  }

  private checkStale(): void {
    if (this.state !== 'running') return;
    const idle = Date.now() - this.lastActivity;
    if (idle > this.staleAfterMs) {
      this.log.warn('watch is stale, restarting', { idleMs: idle });
      this.scheduleRestart('stale', true);
    }
  }
}

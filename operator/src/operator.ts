// startOperator: wires informers, work queues, workers, leader election, events, metrics and
// the probe server around a set of ControllerDefinitions. The runtime never knows what a
// PmsInstance is: it maps watch events to keys and calls Reconcilers.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Server } from 'node:http';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type {
  ChildCache,
  ControllerDefinition,
  ReconcileContext,
  WatchedKind,
} from './controller/types.ts';
import { FIELD_MANAGER, makeApply } from './apply/apply.ts';
import { KubeEventRecorder } from './events.ts';
import { createLogger, describeError, type Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import type { InstanceCount, OperatorMetrics, ReconcileResultLabel } from './metrics.ts';
import { Fence, GatedKubeConfig } from './runtime/gate.ts';
import { Informer } from './runtime/informer.ts';
import { stripForCache } from './runtime/strip.ts';
import { INSTANCE_LABEL, MANAGED_BY_LABEL, MANAGED_BY } from './render/labels.ts';
import { TokenBucket } from './runtime/rate-limit.ts';
import { LeaderElector } from './runtime/leader.ts';
import { WorkQueue } from './runtime/queue.ts';
import { resyncOffsetMs } from './runtime/spread.ts';
import { buildProbeServer, close, listen } from './server.ts';
import { DEFAULT_CONTROLLERS } from './controllers.ts';

export interface StartOperatorOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; undefined or '' watches all. */
  namespace?: string;
  leaderElection: boolean;
  leaseNamespace?: string;
  leaseName?: string;
  /** Leader-election identity and events' reportingInstance; defaults to hostname + random. */
  identity?: string;
  /** 0 = a random free port; undefined = no probe/metrics server. */
  metricsPort?: number;
  metricsHost?: string;
  /** A second server for /healthz and /readyz only (0 = random port). */
  healthPort?: number;
  /** Re-enqueue every primary object this often (default 10 minutes; 0 disables). */
  resyncMs?: number;
  /** Defaults to every controller definition in src/controller. */
  controllers?: ControllerDefinition[];
  log?: Logger;
  maxConcurrentReconciles?: number;
  /** Leader election timings (controller-runtime defaults 15 s / 10 s / 2 s). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Hand the lease back on stop() so a standby takes over at once (default true). */
  releaseLeaseOnStop?: boolean;
  /** Work-queue back-off (default 5 ms doubling to 1000 s). */
  queueBaseDelayMs?: number;
  queueMaxDelayMs?: number;
  /** Informer restart back-off and staleness watchdog. */
  watchMinBackoffMs?: number;
  watchMaxBackoffMs?: number;
  watchStaleAfterMs?: number;
  /**
   * Client-side token bucket on every API request of the controllers (reads, writes, watch
   * connects, events; not leader election): default 50 requests/s, burst 100; apiQps <= 0
   * disables it.
   */
  apiQps?: number;
  apiBurst?: number;
  /**
   * Owned-kind informers list and watch only objects matching this selector (unless the
   * kind names its own): default `app.kubernetes.io/managed-by=pms-operator`, so the operator
   * never caches Secrets, ConfigMaps or Jobs it did not create.
   */
  ownedLabelSelector?: string;
  /** Objects per page of an informer's (re)list (default 500). */
  listPageSize?: number;
  /** Collect Node.js process metrics (default true). */
  processMetrics?: boolean;
  /**
   * Called when leadership is lost (the renew deadline passed), not on stop(). The term's
   * writes are already fenced when it runs; main.ts exits the process, as controller-runtime
   * does.
   */
  onLostLeadership?: () => void;
}

export interface RunningOperator {
  stop(): Promise<void>;
  isLeader(): boolean;
  metrics: Registry;
  /** The probe/metrics server's port, when one was started. */
  port: number | undefined;
  /** The separate health server's port, when one was started. */
  healthPort: number | undefined;
  identity: string;
  /** True while leading (or without election) and every informer has synced. */
  ready(): boolean;
  /** Informer restarts so far (for tests and diagnostics). */
  informerRestarts(): number;
  /** The current term's informers by `plural.apiVersion[?selector]` (tests inspect caches). */
  informers(): ReadonlyMap<string, Informer>;
}

/** The owned-kind index: `namespace/instance-label`. */
export const BY_INSTANCE = 'instance';
const instanceIndex = (o: KubernetesObject): string[] => {
  const instance = o.metadata?.labels?.[INSTANCE_LABEL];
  return instance && o.metadata?.namespace ? [`${o.metadata.namespace}/${instance}`] : [];
};
const stripOwned = (o: KubernetesObject) => stripForCache(o);

const kindKey = (k: WatchedKind) =>
  `${k.plural}.${k.apiVersion}${k.labelSelector ? `?${k.labelSelector}` : ''}`;
const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** The namespace/name keys of the controlling owners of `obj` that are of kind `primary`. */
export function ownerKeys(obj: KubernetesObject, primary: WatchedKind): string[] {
  const ns = obj.metadata?.namespace;
  if (!ns) return [];
  return (obj.metadata?.ownerReferences ?? [])
    .filter(
      (r) =>
        r.controller === true &&
        r.kind === primary.kind &&
        group(r.apiVersion) === group(primary.apiVersion),
    )
    .map((r) => `${ns}/${r.name}`);
}

function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

interface Deps {
  kc: KubeConfig;
  /** Shared by every term: the limit is per process. */
  limiter: TokenBucket;
  identity: string;
  log: Logger;
  metrics: OperatorMetrics;
  opts: StartOperatorOptions;
}

/**
 * One leadership term: informers, queues and workers for every controller. Every request of
 * the term goes through its own KubeConfig, whose fence refuses writes once the term ended
 * (and aborts those in flight), so a straggling reconcile of an old term cannot write.
 */
class ControllerSet {
  readonly informers = new Map<string, Informer>();
  private readonly queues = new Map<string, WorkQueue>();
  private readonly workers: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly d: Deps;
  private readonly controllers: ControllerDefinition[];
  readonly fence: Fence;
  private readonly kc: GatedKubeConfig;
  private readonly client: KubernetesObjectApi;
  private readonly events: KubeEventRecorder;
  private readonly apply: ReconcileContext['apply'];

  constructor(d: Deps, controllers: ControllerDefinition[], fence: Fence) {
    this.d = d;
    this.controllers = controllers;
    this.fence = fence;
    this.kc = new GatedKubeConfig(d.kc, { fence, limiter: d.limiter });
    this.client = KubernetesObjectApi.makeApiClient(this.kc);
    this.events = new KubeEventRecorder({ kc: this.kc, log: d.log, instance: d.identity });
    this.apply = makeApply(this.client);
  }

  /** An owned kind as watched: with the owned-kind selector unless it names its own. */
  private ownedKind(kind: WatchedKind): WatchedKind {
    const selector =
      kind.labelSelector ?? this.d.opts.ownedLabelSelector ?? `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
    return selector ? { ...kind, labelSelector: selector } : kind;
  }

  private informerFor(kind: WatchedKind, owned = false): Informer {
    const watched = owned ? this.ownedKind(kind) : kind;
    const k = kindKey(watched);
    let inf = this.informers.get(k);
    if (!inf) {
      inf = new Informer({
        kc: this.kc,
        kind: watched,
        namespace: this.d.opts.namespace,
        log: this.d.log,
        minBackoffMs: this.d.opts.watchMinBackoffMs,
        maxBackoffMs: this.d.opts.watchMaxBackoffMs,
        staleAfterMs: this.d.opts.watchStaleAfterMs,
        keepManagedFieldsOf: FIELD_MANAGER,
        listPageSize: this.d.opts.listPageSize,
        // Owned kinds: reconciles read them by instance; the primary keeps its status
        // (instanceCounts reads the phase).
        ...(owned ? { transform: stripOwned, indexers: { [BY_INSTANCE]: instanceIndex } } : {}),
        onRestart: () => this.d.metrics.watchRestarts.inc({ kind: kind.kind }),
      });
      this.informers.set(k, inf);
    }
    return inf;
  }

  /** Reconciles read their children here instead of listing them. */
  readonly cache: ChildCache = {
    children: (kind, namespace, instance) => {
      const inf = this.informers.get(kindKey(this.ownedKind(kind)));
      if (!inf?.synced) return undefined;
      return inf.byIndex(BY_INSTANCE, `${namespace}/${instance}`);
    },
    served: (kind, served) => this.optionalServed(kind, served),
    primary: (kind, namespace, name) => {
      if (!this.controllers.some((d) => kindKey(d.primary) === kindKey(kind))) return undefined;
      const inf = this.informers.get(kindKey(kind));
      if (!inf?.synced) return undefined;
      return inf.get(name, namespace) ?? null;
    },
  };

  /** Keys of the informers of optional kinds (started by `served`, not needed for readiness). */
  private readonly optionalKeys = new Set<string>();

  /**
   * Starts the informer of an optional owned kind the first time discovery finds it served
   * (its events requeue owners like any owned kind's) and stops it when it no longer is.
   */
  private optionalServed(kind: WatchedKind, served: boolean): void {
    if (this.stopped) return;
    const k = kindKey(this.ownedKind(kind));
    const running = this.informers.get(k);
    if (!served) {
      if (running && this.optionalKeys.has(k)) {
        this.informers.delete(k);
        this.optionalKeys.delete(k);
        void running.stop();
        this.d.log.info('stopped watching a kind the cluster no longer serves', { kind: k });
      }
      return;
    }
    if (running) return;
    const defs = this.controllers.filter((d) =>
      (d.optionalOwned ?? []).some((o) => kindKey(o) === kindKey(kind)),
    );
    if (defs.length === 0) return;
    const inf = this.informerFor(kind, true);
    this.optionalKeys.add(k);
    for (const def of defs) {
      const queue = this.queues.get(def.name);
      if (queue) this.requeueOwners(inf, def, queue);
    }
    void inf.start();
    this.d.log.info('watching a kind the cluster now serves', { kind: k });
  }

  /** An owned object's events queue the primaries that own it (its owner references). */
  private requeueOwners(inf: Informer, def: ControllerDefinition, queue: WorkQueue): void {
    inf.on((_type, obj) => {
      for (const key of ownerKeys(obj, def.primary)) queue.add(key);
    });
  }

  async start(): Promise<void> {
    const { opts, metrics } = this.d;
    for (const def of this.controllers) {
      const queue = new WorkQueue({
        baseDelayMs: opts.queueBaseDelayMs,
        maxDelayMs: opts.queueMaxDelayMs,
        onDepth: (n) => metrics.workqueueDepth.set({ controller: def.name }, n),
      });
      this.queues.set(def.name, queue);
      this.informerFor(def.primary).on((_type, obj) => {
        const ns = obj.metadata?.namespace;
        if (ns && obj.metadata?.name) queue.add(`${ns}/${obj.metadata.name}`);
      });
      for (const owned of def.owned) this.requeueOwners(this.informerFor(owned, true), def, queue);
    }
    // Each controller starts its workers once its own informers have synced, so a controller
    // whose CRD is not installed yet does not hold the others back.
    for (const inf of this.informers.values()) void inf.start();
    const concurrency = opts.maxConcurrentReconciles ?? 4;
    for (const def of this.controllers) {
      const queue = this.queues.get(def.name);
      const informers = [
        this.informerFor(def.primary),
        ...def.owned.map((k) => this.informerFor(k, true)),
      ];
      void Promise.all(informers.map((i) => i.whenSynced())).then(() => {
        if (this.stopped || !queue) return;
        for (let i = 0; i < concurrency; i++) this.workers.push(this.work(def, queue));
        this.d.log.info('controller started', {
          controller: def.name,
          informers: informers.map((i) => kindKey(i.kind)),
        });
      });
    }
    const resyncMs = opts.resyncMs ?? 600_000;
    if (resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(resyncMs), resyncMs);
      this.resyncTimer.unref();
    }
  }

  /** Every primary object once per period, each at its own offset (`runtime/spread.ts`). */
  private resync(periodMs: number): void {
    for (const def of this.controllers) {
      const queue = this.queues.get(def.name);
      const inf = this.informers.get(kindKey(def.primary));
      for (const obj of inf?.list() ?? []) {
        if (obj.metadata?.namespace && obj.metadata.name) {
          const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
          queue?.addAfter(key, resyncOffsetMs(key, periodMs));
        }
      }
    }
  }

  private async work(def: ControllerDefinition, queue: WorkQueue): Promise<void> {
    const { metrics, log } = this.d;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const objectKey = splitKey(key);
      const klog = log.child({ controller: def.name, ...objectKey });
      const ctx: ReconcileContext = {
        kc: this.kc,
        cache: this.cache,
        client: this.client,
        apply: this.apply,
        events: this.events,
        log: klog,
      };
      const started = performance.now();
      let result: ReconcileResultLabel = 'success';
      try {
        const r = await def.reconcile(ctx, objectKey);
        queue.forget(key);
        if (r?.requeueAfterMs !== undefined && r.requeueAfterMs >= 0) {
          result = 'requeue_after';
          queue.addAfter(key, r.requeueAfterMs);
        }
      } catch (err) {
        metrics.reconcileErrors.inc({ controller: def.name });
        if (err instanceof Error && err.name === 'PermanentError') {
          result = 'permanent_error';
          queue.forget(key);
          klog.warn('reconcile failed permanently; waiting for a change', { error: err.message });
        } else {
          result = 'error';
          const retryInMs = queue.addRateLimited(key);
          klog.error('reconcile failed; retrying', {
            error: describeError(err),
            code: (err as { code?: unknown })?.code,
            retryInMs,
            attempt: queue.numRequeues(key),
          });
        }
      } finally {
        queue.done(key);
      }
      const seconds = (performance.now() - started) / 1000;
      metrics.reconcileTotal.inc({ controller: def.name, result });
      metrics.reconcileDuration.observe({ controller: def.name, result }, seconds);
    }
  }

  synced(): boolean {
    return [...this.informers].every(([k, i]) => i.synced || this.optionalKeys.has(k));
  }

  instanceCounts(): InstanceCount[] {
    const out: InstanceCount[] = [];
    for (const def of this.controllers) {
      const counts = new Map<string, number>();
      for (const obj of this.informers.get(kindKey(def.primary))?.list() ?? []) {
        const phase = (obj as { status?: { phase?: unknown } }).status?.phase;
        const p = typeof phase === 'string' && phase !== '' ? phase : 'Unknown';
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
      for (const [phase, count] of counts) out.push({ kind: def.primary.kind, phase, count });
    }
    return out;
  }

  restarts(): number {
    return [...this.informers.values()].reduce((n, i) => n + i.restartCount, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    for (const q of this.queues.values()) q.shutDown();
    // In-flight reconciles finish; queued keys are dropped (the next leader relists).
    await Promise.all(this.workers);
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    // Nothing of this term sends another request; idle connections close now.
    void this.kc.close();
    for (const def of this.controllers) {
      this.d.metrics.workqueueDepth.set({ controller: def.name }, 0);
    }
  }
}

export async function startOperator(opts: StartOperatorOptions): Promise<RunningOperator> {
  const kc = opts.kubeConfig;
  const identity = opts.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const log = (opts.log ?? createLogger('info')).child({ identity });
  const controllers = opts.controllers ?? [...DEFAULT_CONTROLLERS];
  if (controllers.length === 0) throw new Error('startOperator: no controllers to run');
  const names = new Set(controllers.map((c) => c.name));
  if (names.size !== controllers.length)
    throw new Error('startOperator: duplicate controller names');

  let current: ControllerSet | undefined;
  let leading = false;
  const metrics = createMetrics({
    defaultMetrics: opts.processMetrics ?? true,
    instances: () => current?.instanceCounts() ?? [],
  });
  const limiter = new TokenBucket({ qps: opts.apiQps ?? 50, burst: opts.apiBurst ?? 100 });
  const deps: Deps = { kc, limiter, identity, log, metrics, opts };
  let elector: LeaderElector | undefined;
  let pastRestarts = 0;
  const startLeading = async () => {
    if (current) return;
    leading = true;
    metrics.leader.set(1);
    const set = new ControllerSet(
      deps,
      controllers,
      new Fence(elector ? () => elector?.validUntil() ?? 0 : undefined),
    );
    current = set;
    await set.start();
  };
  // Never waits for a start still in progress (informers that cannot sync would block it):
  // stopping the informers releases it.
  // On a clean stop in-flight reconciles finish (the term is still valid; its fence still
  // checks the lease's validity); a lost term's fence was already closed by onLostLeadership.
  const stopLeading = async () => {
    leading = false;
    metrics.leader.set(0);
    const set = current;
    current = undefined;
    if (set) {
      await set.stop();
      set.fence.close('term over');
      pastRestarts += set.restarts();
    }
  };

  if (opts.leaderElection) {
    const leaseNamespace = opts.leaseNamespace ?? opts.namespace;
    if (!leaseNamespace) {
      throw new Error('startOperator: leader election needs leaseNamespace (or namespace)');
    }
    metrics.leader.set(0);
    elector = new LeaderElector({
      kc,
      namespace: leaseNamespace,
      name: opts.leaseName ?? 'pms-operator',
      identity,
      log,
      leaseDurationMs: opts.leaseDurationMs,
      renewDeadlineMs: opts.renewDeadlineMs,
      retryPeriodMs: opts.retryPeriodMs,
      releaseOnStop: opts.releaseLeaseOnStop,
      // Starting the controllers must not block renewing the lease.
      onStartedLeading: () => {
        void startLeading().catch((err: unknown) =>
          log.error('starting controllers failed', { error: describeError(err) }),
        );
      },
      onStoppedLeading: () => stopLeading(),
      // Synchronously, before the controllers are stopped: no write of the lost term leaves
      // after this, and those in flight are aborted.
      onLostLeadership: () => {
        current?.fence.close('leadership lost');
        opts.onLostLeadership?.();
      },
    });
  }

  let server: Server | undefined;
  let port: number | undefined;
  const ready = () => {
    if (elector && !leading) return { ok: true, detail: 'standby' };
    if (!current?.synced()) return { ok: false, detail: 'informers not synced' };
    return { ok: true, detail: 'ok' };
  };
  if (opts.metricsPort !== undefined) {
    server = buildProbeServer({ registry: metrics.registry, ready });
    port = await listen(server, opts.metricsPort, opts.metricsHost);
    log.info('probe and metrics server listening', { port });
  }
  let healthServer: Server | undefined;
  let healthPort: number | undefined;
  if (opts.healthPort !== undefined && opts.healthPort !== opts.metricsPort) {
    healthServer = buildProbeServer({ registry: metrics.registry, ready, metrics: false });
    healthPort = await listen(healthServer, opts.healthPort, opts.metricsHost);
    log.info('health server listening', { port: healthPort });
  }

  if (elector) elector.start();
  else await startLeading();

  let stopping: Promise<void> | undefined;
  return {
    identity,
    metrics: metrics.registry,
    port,
    healthPort,
    isLeader: () => leading && (elector?.isLeader() ?? true),
    ready: () => ready().ok && (!elector || leading),
    informerRestarts: () => pastRestarts + (current?.restarts() ?? 0),
    informers: () => current?.informers ?? new Map<string, Informer>(),
    stop: () => {
      stopping ??= (async () => {
        if (elector) await elector.stop();
        await stopLeading();
        if (server) await close(server);
        if (healthServer) await close(healthServer);
        log.info('operator stopped');
      })();
      return stopping;
    },
  };
}

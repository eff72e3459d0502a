// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
// - a candidate tries to acquire every retryPeriod; it may take the lease when it is unheld,
//   already its own, or when the holder has not renewed for leaseDuration as measured on the
//   candidate's own clock since it last saw the record change (no clock-skew assumptions);
// - the leader renews every retryPeriod; if it cannot renew for renewDeadline it steps down;
// - on stop, the leader releases the lease (empty holder) so a standby takes over at once.
// Optimistic concurrency (resourceVersion on replace) makes two candidates never both win.
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../controller/types.ts';
import { describeError } from '../log.ts';

export interface LeaderElectionOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  log: Logger;
  /** controller-runtime defaults: 15 s / 10 s / 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up when stopped (default true). */
  releaseOnStop?: boolean;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
}

function apiCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function toMillis(t: unknown): number {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'string') return Date.parse(t);
  return NaN;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly opts: Required<Omit<LeaderElectionOptions, 'kc'>>;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRenew = 0;
  /** The last lease record seen and when (local clock) it was first seen. */
  private observed: { key: string; at: number } | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(opts: LeaderElectionOptions) {
    this.api = opts.kc.makeApiClient(CoordinationV1Api);
    this.opts = {
      ...opts,
      leaseDurationMs: opts.leaseDurationMs ?? 15_000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 10_000,
      retryPeriodMs: opts.retryPeriodMs ?? 2_000,
      releaseOnStop: opts.releaseOnStop ?? true,
    };
    if (this.opts.renewDeadlineMs >= this.opts.leaseDurationMs) {
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    if (this.leading) {
      this.leading = false;
      await this.opts.onStoppedLeading();
      if (this.opts.releaseOnStop) await this.release();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private async run(): Promise<void> {
    const { log, retryPeriodMs, renewDeadlineMs } = this.opts;
    while (!this.stopped) {
      let ok = false;
      try {
        // A hanging request counts as a failure once the renew deadline has passed.
        ok = await Promise.race([
          this.tryAcquireOrRenew(),
          new Promise<boolean>((_, reject) => {
            const t = setTimeout(() => reject(new Error('timed out')), renewDeadlineMs);
            t.unref();
          }),
        ]);
      } catch (err) {
        log.warn('lease acquire/renew failed', {
          error: describeError(err),
          code: apiCode(err),
        });
      }
      if (this.stopped) break;
      const now = Date.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          log.info('became leader', { lease: `${this.opts.namespace}/${this.opts.name}` });
          await this.opts.onStartedLeading();
        }
      } else if (this.leading && now - this.lastRenew > renewDeadlineMs) {
        this.leading = false;
        log.warn('lost leadership: could not renew within the renew deadline');
        await this.opts.onStoppedLeading();
      }
      await this.sleep(retryPeriodMs);
    }
  }

  private desired(existing: V1Lease | undefined, now: Date): V1Lease {
    const held = existing?.spec?.holderIdentity === this.opts.identity;
    const transitions = existing?.spec?.leaseTransitions ?? 0;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.opts.name,
        namespace: this.opts.namespace,
        resourceVersion: existing?.metadata?.resourceVersion,
      },
      spec: {
        holderIdentity: this.opts.identity,
        leaseDurationSeconds: Math.max(1, Math.ceil(this.opts.leaseDurationMs / 1000)),
        acquireTime:
          held && existing?.spec?.acquireTime
            ? new V1MicroTime(toMillis(existing.spec.acquireTime))
            : new V1MicroTime(now.getTime()),
        renewTime: new V1MicroTime(now.getTime()),
        leaseTransitions: held || !existing ? transitions : transitions + 1,
      },
    };
  }

  /** One attempt; true when this process holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const now = new Date();
    let existing: V1Lease | undefined;
    try {
      existing = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (apiCode(err) !== 404) throw err;
    }
    if (!existing) {
      try {
        await this.api.createNamespacedLease({ namespace, body: this.desired(undefined, now) });
        return true;
      } catch (err) {
        if (apiCode(err) === 409) return false;
        throw err;
      }
    }
    const spec = existing.spec ?? {};
    const key = JSON.stringify([
      spec.holderIdentity,
      toMillis(spec.renewTime),
      spec.leaseTransitions,
    ]);
    if (this.observed?.key !== key) this.observed = { key, at: now.getTime() };
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    const expired = this.observed.at + durationMs <= now.getTime();
    if (holder !== '' && holder !== identity && !expired) return false;
    try {
      await this.api.replaceNamespacedLease({
        name,
        namespace,
        body: this.desired(existing, now),
      });
      return true;
    } catch (err) {
      if (apiCode(err) === 409) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    const { namespace, name, identity, log } = this.opts;
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = Date.now();
      await this.api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion },
          spec: {
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: new V1MicroTime(now),
            renewTime: new V1MicroTime(now),
            leaseTransitions: lease.spec?.leaseTransitions ?? 0,
          },
        },
      });
      log.info('released leader lease');
    } catch (err) {
      log.warn('could not release the lease', { error: describeError(err) });
    }
  }
}

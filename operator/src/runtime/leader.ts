// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
// - a candidate tries to acquire every retryPeriod; it may take the lease when it is unheld,
//   already its own, or when the holder has not renewed for leaseDuration as measured on the
//   candidate's own clock since it last saw the record change (no clock-skew assumptions);
// - the leader renews every retryPeriod. Its leadership is valid until lastRenew +
//   renewDeadline, where lastRenew is when the last successful renewal *started* (the
//   renewTime it wrote; others measure expiry from when they saw it, which is later). Every
//   attempt is aborted at that instant, and a timer ends the term at that instant too, not
//   after a hanging request returns: validUntil() is what the write fence of the term checks;
// - on stop, the leader releases the lease (empty holder) so a standby takes over at once.
// Optimistic concurrency (resourceVersion on replace) makes two candidates never both win.
// renewDeadline < leaseDuration leaves the difference (5 s by default) for a write that left
// just before the deadline to land before anyone else may take the lease.
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import { apiErrorCode } from '../kube-errors.ts';
import { describeError, type Logger } from '../log.ts';
import { GatedKubeConfig } from './gate.ts';

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
  /** Called when the term ends: on stop() (awaited) or when the renew deadline passed. */
  onStoppedLeading: () => void | Promise<void>;
  /**
   * Called synchronously the moment leadership is lost (before onStoppedLeading runs), not on
   * stop(): the place to fence writes.
   */
  onLostLeadership?: () => void;
}

function toMillis(t: unknown): number {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'string') return Date.parse(t);
  return NaN;
}

export class LeaderElector {
  private readonly kc: GatedKubeConfig;
  private readonly api: CoordinationV1Api;
  private readonly opts: Required<Omit<LeaderElectionOptions, 'kc' | 'onLostLeadership'>> &
    Pick<LeaderElectionOptions, 'onLostLeadership'>;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lossTimer: NodeJS.Timeout | undefined;
  /** Start time of the last successful acquire/renew (local clock). */
  private lastRenew = 0;
  /** Aborts the requests of the current attempt at its deadline. */
  private attempt: AbortController | undefined;
  /** The last lease record seen and when (local clock) it was first seen. */
  private observed: { key: string; at: number } | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(opts: LeaderElectionOptions) {
    // Its own client (no shared rate limiter can delay a renewal), whose requests carry the
    // current attempt's signal.
    this.kc = new GatedKubeConfig(opts.kc, { signal: () => this.attempt?.signal });
    this.api = this.kc.makeApiClient(CoordinationV1Api);
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
    return this.leading && Date.now() < this.validUntil();
  }

  /** Until when (ms since the epoch) the current term may write; 0 when not leading. */
  validUntil(): number {
    return this.leading ? this.lastRenew + this.opts.renewDeadlineMs : 0;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.attempt?.abort(new Error('leader election stopped'));
    this.wake?.();
    await this.loop;
    clearTimeout(this.lossTimer);
    if (this.leading) {
      this.leading = false;
      await this.opts.onStoppedLeading();
      if (this.opts.releaseOnStop) await this.release();
    }
    void this.kc.close();
  }

  /** Ends the term now: the renew deadline passed without a successful renewal. */
  private lose(): void {
    clearTimeout(this.lossTimer);
    if (!this.leading) return;
    this.leading = false;
    this.opts.log.warn('lost leadership: could not renew within the renew deadline');
    this.opts.onLostLeadership?.();
    void Promise.resolve()
      .then(() => this.opts.onStoppedLeading())
      .catch((err: unknown) =>
        this.opts.log.error('stopping after lost leadership failed', {
          error: describeError(err),
        }),
      );
  }

  private armLossTimer(): void {
    clearTimeout(this.lossTimer);
    this.lossTimer = setTimeout(() => this.lose(), Math.max(0, this.validUntil() - Date.now()));
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
      const started = Date.now();
      // A leader's attempt may not outlive its term; a candidate's is bounded the same way.
      const deadline = this.leading ? this.validUntil() : started + renewDeadlineMs;
      let ok = false;
      const attempt = new AbortController();
      this.attempt = attempt;
      const timeout = setTimeout(
        () => attempt.abort(new Error('lease attempt timed out')),
        Math.max(0, deadline - started),
      );
      try {
        ok = await Promise.race([
          this.tryAcquireOrRenew(new Date(started)),
          new Promise<boolean>((_, reject) => {
            attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason as Error));
          }),
        ]);
      } catch (err) {
        log.warn('lease acquire/renew failed', {
          error: describeError(err),
          code: apiErrorCode(err),
        });
      } finally {
        clearTimeout(timeout);
        attempt.abort(new Error('attempt over'));
        this.attempt = undefined;
      }
      if (this.stopped) break;
      // A success that returns after the deadline (a late timer) does not count.
      if (ok && Date.now() < deadline) {
        this.lastRenew = started;
        if (this.leading) this.armLossTimer();
        else {
          this.leading = true;
          this.armLossTimer();
          log.info('became leader', { lease: `${this.opts.namespace}/${this.opts.name}` });
          await this.opts.onStartedLeading();
        }
      } else if (this.leading && Date.now() >= this.validUntil()) {
        this.lose();
      }
      await this.sleep(Math.max(0, retryPeriodMs - (Date.now() - started)));
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
  private async tryAcquireOrRenew(now: Date): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    let existing: V1Lease | undefined;
    try {
      existing = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (apiErrorCode(err) !== 404) throw err;
    }
    if (!existing) {
      try {
        await this.api.createNamespacedLease({ namespace, body: this.desired(undefined, now) });
        return true;
      } catch (err) {
        if (apiErrorCode(err) === 409) return false;
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
      if (apiErrorCode(err) === 409) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    const { namespace, name, identity, log } = this.opts;
    const attempt = new AbortController();
    this.attempt = attempt;
    const timeout = setTimeout(() => attempt.abort(new Error('release timed out')), 5000);
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
    } finally {
      clearTimeout(timeout);
      this.attempt = undefined;
    }
  }
}

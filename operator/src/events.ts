// EventRecorder on events.k8s.io/v1 (readable as core/v1 Events: `kubectl describe` shows
// them). Best effort: recording never throws into a reconcile. Like client-go's recorder it
// aggregates and rate-limits:
// - the same (object, type, reason, message) within `seriesWindowMs` becomes one Event whose
//   `series.count` grows; the count is written at most every `seriesFlushMs` per Event;
// - per object a token bucket (burst 25, one token per 5 minutes, as client-go's spam filter)
//   drops floods of distinct events.
import { KubernetesObjectApi, PatchStrategy, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { EventRecorder } from './controller/types.ts';
import { isNotFound } from './kube-errors.ts';
import { describeError, type Logger } from './log.ts';

export interface EventRecorderOptions {
  kc: KubeConfig;
  log: Logger;
  /** reportingInstance, e.g. the pod name. */
  instance: string;
  controller?: string;
  seriesWindowMs?: number;
  seriesFlushMs?: number;
  burst?: number;
  refillEveryMs?: number;
  maxTracked?: number;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  written: number;
  lastSeen: number;
  lastWrite: number;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly client: KubernetesObjectApi;
  private readonly o: Required<Omit<EventRecorderOptions, 'kc'>>;
  private readonly series = new Map<string, Series>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Events written (created or series-updated) and dropped: for tests and metrics. */
  readonly stats = { created: 0, updated: 0, aggregated: 0, dropped: 0, failed: 0 };

  constructor(opts: EventRecorderOptions) {
    this.client = KubernetesObjectApi.makeApiClient(opts.kc);
    this.o = {
      log: opts.log,
      instance: opts.instance,
      controller: opts.controller ?? 'pms.io/pms-operator',
      seriesWindowMs: opts.seriesWindowMs ?? 10 * 60_000,
      seriesFlushMs: opts.seriesFlushMs ?? 30_000,
      burst: opts.burst ?? 25,
      refillEveryMs: opts.refillEveryMs ?? 5 * 60_000,
      maxTracked: opts.maxTracked ?? 4096,
    };
  }

  private take(uidKey: string, now: number): boolean {
    const b = this.buckets.get(uidKey) ?? { tokens: this.o.burst, at: now };
    const refill = Math.floor((now - b.at) / this.o.refillEveryMs);
    if (refill > 0) {
      b.tokens = Math.min(this.o.burst, b.tokens + refill);
      b.at += refill * this.o.refillEveryMs;
    }
    if (b.tokens < 1) {
      this.buckets.set(uidKey, b);
      return false;
    }
    b.tokens -= 1;
    this.buckets.set(uidKey, b);
    return true;
  }

  private evictOld(now: number): void {
    if (this.series.size < this.o.maxTracked) return;
    for (const [k, s] of this.series) {
      if (now - s.lastSeen > this.o.seriesWindowMs || this.series.size >= this.o.maxTracked) {
        this.series.delete(k);
      }
      if (this.series.size < this.o.maxTracked / 2) break;
    }
    if (this.buckets.size > this.o.maxTracked) this.buckets.clear();
  }

  async record(
    regarding: KubernetesObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const meta = regarding.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const objKey = meta.uid ?? `${regarding.kind}/${namespace}/${meta.name}`;
    const note = message.length > 1024 ? message.slice(0, 1021) + '...' : message;
    const key = `${objKey}|${type}|${reason}|${note}`;
    const now = Date.now();
    try {
      const existing = this.series.get(key);
      if (existing && now - existing.lastSeen <= this.o.seriesWindowMs) {
        existing.count += 1;
        existing.lastSeen = now;
        if (now - existing.lastWrite < this.o.seriesFlushMs) {
          this.stats.aggregated += 1;
          return;
        }
        existing.lastWrite = now;
        try {
          await this.client.patch(
            {
              apiVersion: 'events.k8s.io/v1',
              kind: 'Event',
              metadata: { name: existing.name, namespace: existing.namespace },
              series: { count: existing.count, lastObservedTime: new V1MicroTime(now) },
            } as KubernetesObject,
            undefined,
            undefined,
            undefined,
            undefined,
            PatchStrategy.MergePatch,
          );
          existing.written = existing.count;
          this.stats.updated += 1;
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          this.series.delete(key);
        }
      }
      if (!this.take(objKey, now)) {
        this.stats.dropped += 1;
        this.o.log.debug('event dropped by rate limit', { reason, object: meta.name });
        return;
      }
      this.evictOld(now);
      const name = `${meta.name ?? 'object'}.${Date.now().toString(16)}${randomBytes(3).toString('hex')}`;
      await this.client.create({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace },
        eventTime: new V1MicroTime(now),
        reportingController: this.o.controller,
        reportingInstance: this.o.instance,
        action: reason,
        reason,
        note,
        type,
        regarding: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
      } as KubernetesObject);
      this.series.set(key, {
        name,
        namespace,
        count: 1,
        written: 1,
        lastSeen: now,
        lastWrite: now,
      });
      this.stats.created += 1;
    } catch (err) {
      this.stats.failed += 1;
      this.o.log.warn('could not record event', {
        reason,
        object: meta.name,
        error: describeError(err),
      });
    }
  }
}

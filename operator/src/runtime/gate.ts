// Every API request of the operator passes one gate: client-node calls the KubeConfig's
// applySecurityAuthentication() before each request (typed clients, KubernetesObjectApi and
// Watch alike), so a KubeConfig subclass is the one place that sees them all. The gate
//  - fences writes: a leadership term's writes are refused once the term ended or its lease
//    validity passed, and a write still in flight is aborted when the term ends;
//  - (optionally) waits for a client-side rate limiter token, as client-go's does.
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';

export class FencedError extends Error {
  override name = 'FencedError';
}

/**
 * Write permission of one leadership term. Once closed it never opens again: a new term gets
 * a new Fence, so a straggler of an old term can never write under the new one.
 */
export class Fence {
  private readonly controller = new AbortController();
  private closedBecause: string | undefined;
  private readonly validUntil: () => number;

  /** `validUntil`: the wall-clock time (ms) after which writes are refused (default never). */
  constructor(validUntil: () => number = () => Infinity) {
    this.validUntil = validUntil;
  }

  /** Aborted when the fence closes: in-flight writes carry it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get open(): boolean {
    if (this.closedBecause === undefined && Date.now() >= this.validUntil()) {
      // The timer that ends the term may run late on a blocked event loop; the clock does not.
      this.close('lease validity passed');
    }
    return this.closedBecause === undefined;
  }

  close(reason: string): void {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = reason;
    this.controller.abort(new FencedError(`write fenced: ${reason}`));
  }

  /** Throws FencedError when writes are no longer allowed. */
  check(): void {
    if (!this.open) throw new FencedError(`write fenced: ${this.closedBecause ?? 'closed'}`);
  }
}

export interface RequestLimiter {
  /** Resolves when the request may be sent. */
  take(): Promise<void>;
}

export interface GateOptions {
  fence?: Fence;
  limiter?: RequestLimiter;
  /** A signal every request carries (the leader elector bounds each attempt with it). */
  signal?: () => AbortSignal | undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `source`'s clusters, users and contexts behind a gate. */
export class GatedKubeConfig extends KubeConfig {
  private readonly gate: GateOptions;

  constructor(source: KubeConfig, gate: GateOptions) {
    super();
    this.loadFromOptions({
      clusters: source.clusters,
      users: source.users,
      contexts: source.contexts,
      currentContext: source.currentContext,
    });
    this.gate = gate;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const fence = this.gate.fence;
    const write = !READ_METHODS.has(String(context.getHttpMethod()).toUpperCase());
    if (write) fence?.check();
    await this.gate.limiter?.take();
    await super.applySecurityAuthentication(context);
    const signal = this.gate.signal?.();
    if (signal) context.setSignal(signal);
    if (write && fence) {
      // Checked again after the waits above; the signal aborts the request if the term ends
      // while it is in flight (the lease's remaining validity covers one that already landed).
      fence.check();
      context.setSignal(signal ? AbortSignal.any([signal, fence.signal]) : fence.signal);
    }
  }
}

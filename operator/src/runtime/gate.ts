// Every API request of the operator passes one gate: client-node calls the KubeConfig's
// applySecurityAuthentication() before each request (typed clients, KubernetesObjectApi and
// Watch alike), so a KubeConfig subclass is the one place that sees them all. The gate
//  - fences writes: a leadership term's writes are refused once the term ended or its lease
//    validity passed, and a write still in flight is aborted when the term ends;
//  - (optionally) waits for a client-side rate limiter token, as client-go's does;
//  - sends every request over one connection pool (below).
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, RequestContext } from '@kubernetes/client-node';
import type { AgentOptions } from 'node:https';
import { isDeepStrictEqual } from 'node:util';

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

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** client-node 2.0's per-request dispatcher factory (private in its types, see below). */
interface DispatcherFactory {
  createDispatcher(cluster: Cluster | null, agentOptions: AgentOptions): Dispatcher | undefined;
}

/** The options a dispatcher is built from; a request with equal ones can share its pool. */
type PoolIdentity = readonly unknown[];

function poolIdentity(cluster: Cluster | null, o: AgentOptions): PoolIdentity {
  return [
    cluster?.server,
    cluster?.proxyUrl,
    o.ca,
    o.cert,
    o.key,
    o.pfx,
    o.passphrase,
    o.rejectUnauthorized,
    o.servername,
  ];
}

/** Whether two requests' TLS identities (CA, client certificate, proxy, ...) are the same. */
export function samePoolIdentity(a: PoolIdentity, b: PoolIdentity): boolean {
  // Buffers compare by content: client-node re-reads certificate files for every request.
  return isDeepStrictEqual(a, b);
}

/** `source`'s clusters, users and contexts behind a gate. */
export class GatedKubeConfig extends KubeConfig {
  private readonly gate: GateOptions;
  private pool: { identity: PoolIdentity; dispatcher: Dispatcher | undefined } | undefined;
  private readonly retired = new Set<Dispatcher>();

  constructor(source: KubeConfig, gate: GateOptions) {
    super();
    this.loadFromOptions({
      clusters: source.clusters,
      users: source.users,
      contexts: source.contexts,
      currentContext: source.currentContext,
    });
    this.gate = gate;
    // client-node 2.0 builds a new undici Agent, so a new connection pool, for every request
    // (KubeConfig.createDispatcher): every request opened its own TCP (and TLS) connection,
    // and idle ones lingered until their keep-alive ran out (~165 sockets at N = 300).
    // Requests with the same TLS identity now share one Agent; a changed identity (a rotated
    // client certificate or CA file) gets a new one and the old one closes once its requests
    // (watches included) have ended. The method is private in client-node's types only, hence
    // the cast; test/runtime-gate.test.ts counts connections, so a client-node that renames it
    // fails there.
    const factory = this as unknown as DispatcherFactory;
    const build = factory.createDispatcher.bind(this);
    factory.createDispatcher = (cluster, agentOptions) => {
      const identity = poolIdentity(cluster, agentOptions);
      if (this.pool && samePoolIdentity(this.pool.identity, identity)) return this.pool.dispatcher;
      if (this.pool?.dispatcher) this.retire(this.pool.dispatcher);
      this.pool = { identity, dispatcher: build(cluster, agentOptions) };
      return this.pool.dispatcher;
    };
  }

  private retire(dispatcher: Dispatcher): void {
    this.retired.add(dispatcher);
    dispatcher
      .close()
      .catch(() => undefined)
      .finally(() => this.retired.delete(dispatcher));
  }

  /** Closes the connection pool once the requests in flight have ended. */
  async close(): Promise<void> {
    const open = [...this.retired];
    if (this.pool?.dispatcher) open.push(this.pool.dispatcher);
    this.pool = undefined;
    await Promise.all(open.map((d) => d.close().catch(() => undefined)));
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

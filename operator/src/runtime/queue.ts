// A keyed, de-duplicating work queue in the style of client-go's workqueue:
// - a key waiting in the queue is stored once however often it is added (dedupe);
// - a key being processed is never handed to a second worker; if it is added meanwhile it is
//   marked dirty and queued again when the first worker calls done() (per-key serialisation);
// - addAfter() delays a key (earliest deadline wins); addRateLimited() delays it by a per-key
//   exponential back-off (base 5 ms, doubling, capped at 1000 s) that forget() resets.

export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called whenever the number of keys waiting to be processed changes. */
  onDepth?: (depth: number) => void;
}

export class WorkQueue {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly onDepth: ((depth: number) => void) | undefined;
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    this.onDepth = opts.onDepth;
  }

  /** Number of keys waiting to be handed to a worker. */
  get length(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.add(key);
    this.queue.push(key);
    this.onDepth?.(this.queue.length);
  }

  /** Adds the key after `delayMs`; a pending earlier deadline for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** The delay the next addRateLimited() of this key would use (without consuming it). */
  nextDelay(key: string): number {
    const n = this.failures.get(key) ?? 0;
    // 2^n overflows to Infinity for large n; Math.min keeps the cap.
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }

  /** Requeues the key after its per-key exponential back-off; returns the delay used. */
  addRateLimited(key: string): number {
    const delay = this.nextDelay(key);
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    this.addAfter(key, delay);
    return delay;
  }

  /** Number of consecutive failures recorded for the key. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Resets the key's back-off (call after a successful reconcile). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Waits for the next key; resolves undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      this.onDepth?.(this.queue.length);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key as processed; a key added meanwhile goes back into the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
    this.queue.length = 0;
    this.queued.clear();
    this.dirty.clear();
    this.onDepth?.(0);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}

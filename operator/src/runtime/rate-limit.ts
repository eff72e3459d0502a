// A client-side token bucket on API requests, as client-go's flowcontrol rate limiter: `qps`
// tokens a second, at most `burst` saved up. Each request takes one token; when none is left
// it waits for the next. Waiters are served in arrival order: a taker reserves the next token
// (the count may go negative, as golang.org/x/time/rate's reservations do) and sleeps until
// the bucket has refilled to it, so no request is starved by later ones.
import type { RequestLimiter } from './gate.ts';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucketOptions {
  /** Tokens added per second; 0 or less disables the limit. */
  qps: number;
  /** Bucket size (tokens available at once); at least 1. */
  burst: number;
  clock?: Clock;
}

export class TokenBucket implements RequestLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(opts: TokenBucketOptions) {
    this.qps = opts.qps;
    this.burst = Math.max(1, Math.floor(opts.burst));
    this.clock = opts.clock ?? systemClock;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  /** Tokens available now (negative: that many takers are already waiting). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Milliseconds the caller waits; 0 when a token was free. Resolves when it may go. */
  reserve(): number {
    if (this.qps <= 0) return 0;
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  take(): Promise<void> {
    const wait = this.reserve();
    return wait === 0 ? Promise.resolve() : this.clock.sleep(wait);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}

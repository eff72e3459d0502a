// Access-token lifetime handling. The access token lives in memory only; it is refreshed a
// little before it expires (and on a 401 `token_expired`), and concurrent callers share one
// in-flight refresh so a rotating refresh token is never presented twice.

/** Reads `exp` (seconds since epoch) from a JWT without verifying it. Null when unreadable. */
export function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '=')));
    return typeof json?.exp === 'number' ? json.exp : null;
  } catch {
    return null;
  }
}

export interface RefreshPlanInput {
  /** Lifetime in seconds as returned by the API (`expiresIn`). */
  expiresIn: number;
  /** When the token was received (ms since epoch). */
  receivedAt: number;
  /** Expiry from the token itself (seconds since epoch), if readable. */
  exp?: number | null;
  now: number;
}

/**
 * Milliseconds to wait before refreshing: at 80% of the lifetime but at least 30 s before
 * expiry (less for very short tokens), never less than 1 s, and never negative.
 */
export function refreshDelay({ expiresIn, receivedAt, exp, now }: RefreshPlanInput): number {
  const lifetimeMs = Math.max(0, expiresIn * 1000);
  const expiresAt = Math.min(
    receivedAt + lifetimeMs,
    exp != null ? exp * 1000 : Number.POSITIVE_INFINITY,
  );
  const margin = Math.min(30_000, lifetimeMs * 0.2);
  const due = expiresAt - margin;
  return Math.max(1000, Math.round(due - now));
}

/** Wraps an async function so that overlapping calls share one in-flight promise. */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => {
    if (!inFlight) {
      inFlight = fn().finally(() => {
        inFlight = null;
      });
    }
    return inFlight;
  };
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Keeps one pending refresh timer; re-planning replaces it. */
export class RefreshScheduler {
  #timers: Timers;
  #handle: unknown = null;
  #run: () => void;

  constructor(run: () => void, timers: Timers) {
    this.#run = run;
    this.#timers = timers;
  }

  schedule(delayMs: number): void {
    this.cancel();
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = null;
      this.#run();
    }, delayMs);
  }

  cancel(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
  }

  get pending(): boolean {
    return this.#handle !== null;
  }
}

/** Where to send the user after sign-in: only same-origin paths, never `//host` or schemes. */
export function safeNext(next: string | null | undefined, fallback = '/projects'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  if (next.startsWith('/sign-in') || next.startsWith('/sign-up')) return fallback;
  return next;
}

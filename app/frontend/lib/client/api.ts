// Browser API client: the access token lives only in this module's memory. Requests carry it as
// a Bearer token; a 401 `token_expired` triggers one shared refresh (the refresh cookie is
// httpOnly and scoped to /api/v1/auth) and a retry; a failed refresh ends the session.
import { ApiError, toApiError } from '../api-error.ts';
import { jwtExpiry, refreshDelay, RefreshScheduler, singleFlight } from '../refresh.ts';
import type { Session, User } from '../types.ts';

export const API_BASE = '/api/v1';

type Query = Record<string, string | number | boolean | undefined | null> | URLSearchParams;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** Extra request headers (e.g. `If-Match`). */
  headers?: Record<string, string>;
}

type Listener = (user: User | null, reason?: 'expired' | 'signed-out') => void;

function qs(query?: Query): string {
  if (!query) return '';
  const p =
    query instanceof URLSearchParams
      ? query
      : new URLSearchParams(
          Object.entries(query)
            .filter(([, v]) => v !== undefined && v !== null && v !== '')
            .map(([k, v]) => [k, String(v)]),
        );
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function parse(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

class ApiClient {
  #token: string | null = null;
  #user: User | null = null;
  #listeners = new Set<Listener>();
  #scheduler: RefreshScheduler | null = null;
  /**
   * Counts sessions begun and ended in this tab. A refresh answered after a sign-in it did not
   * know about (the start-up refresh of the sign-in page, sent without a cookie, answering 401
   * once the user has signed in) must not end or replace the newer session.
   */
  #generation = 0;

  get user(): User | null {
    return this.#user;
  }

  /** For the upload helper, which uses XMLHttpRequest for progress events. */
  get token(): string | null {
    return this.#token;
  }

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(reason?: 'expired' | 'signed-out') {
    for (const fn of this.#listeners) fn(this.#user, reason);
  }

  #scheduleRefresh(expiresIn: number) {
    if (typeof window === 'undefined') return;
    this.#scheduler ??= new RefreshScheduler(
      () => {
        this.refresh().catch(() => undefined);
      },
      {
        setTimeout: (fn, ms) => window.setTimeout(fn, ms),
        clearTimeout: (h) => window.clearTimeout(h as number),
      },
    );
    const now = Date.now();
    const token = this.#token ?? '';
    this.#scheduler.schedule(
      refreshDelay({ expiresIn, receivedAt: now, exp: jwtExpiry(token), now }),
    );
  }

  #accept(session: Session): User {
    this.#generation++;
    this.#token = session.accessToken;
    this.#user = session.user;
    this.#scheduleRefresh(session.expiresIn);
    this.#emit();
    return session.user;
  }

  #end(reason: 'expired' | 'signed-out') {
    const had = this.#user !== null;
    this.#generation++;
    this.#token = null;
    this.#user = null;
    this.#scheduler?.cancel();
    if (had || reason === 'signed-out') this.#emit(reason);
  }

  /** Exchanges the refresh cookie for a new access token (shared between concurrent callers). */
  refresh = singleFlight(async (): Promise<User> => {
    const generation = this.#generation;
    const res = await fetch(`${API_BASE}/auth/refresh`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    const body = await parse(res);
    if (generation !== this.#generation) {
      // Signed in or out while this was in flight: the newer state stands. A scheduled silent
      // refresh that joined this stale flight has not happened: run it once this one is done.
      if (this.#user) {
        if (!this.#scheduler?.pending) this.#scheduler?.schedule(0);
        return this.#user;
      }
      throw new ApiError(401, 'unauthenticated', 'Signed out');
    }
    if (!res.ok) {
      const err = toApiError(res.status, body, res.headers.get('retry-after'));
      // Only an authentication failure ends the session; a 5xx/429 leaves it to retry later.
      if (res.status === 401 || res.status === 403) this.#end('expired');
      else if (this.#token) this.#scheduleRefresh(30);
      throw err;
    }
    return this.#accept(body as Session);
  });

  async login(email: string, password: string): Promise<User> {
    const session = await this.#raw<Session>('POST', '/auth/login', { body: { email, password } });
    return this.#accept(session);
  }

  async register(name: string, email: string, password: string): Promise<User> {
    const session = await this.#raw<Session>('POST', '/auth/register', {
      body: { name, email, password },
    });
    return this.#accept(session);
  }

  async logout(): Promise<void> {
    try {
      await this.#raw<void>('POST', '/auth/logout', {});
    } finally {
      this.#end('signed-out');
    }
  }

  setUser(user: User) {
    this.#user = user;
    this.#emit();
  }

  /** When this tab last sent a change (ms since epoch): see `wroteRecently`. */
  #lastWriteAt = 0;

  /**
   * Whether this tab sent a change within `ms`. Live events of the user's own changes are
   * skipped only then (this tab already shows them); the same user's changes from another tab,
   * a script or an import still refresh the page.
   */
  wroteRecently(ms = 3000): boolean {
    return Date.now() - this.#lastWriteAt < ms;
  }

  async #raw<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    if (method !== 'GET') this.#lastWriteAt = Date.now();
    const headers: Record<string, string> = { ...opts.headers, accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let res: Response;
    try {
      res = await fetch(`${API_BASE}${path}${qs(opts.query)}`, {
        method,
        headers,
        credentials: 'same-origin',
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection.');
    }
    if (method !== 'GET') this.#lastWriteAt = Date.now();
    const body = await parse(res);
    if (!res.ok) throw toApiError(res.status, body, res.headers.get('retry-after'));
    return body as T;
  }

  /** An authenticated request; refreshes once on an expired token. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    try {
      return await this.#raw<T>(method, path, opts);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        await this.refresh();
        return this.#raw<T>(method, path, opts);
      }
      throw err;
    }
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal) {
    return this.request<T>('GET', path, { query, signal });
  }
  post<T>(path: string, body?: unknown, query?: Query, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { body, query, headers });
  }
  patch<T>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, { body, headers });
  }
  del(path: string, query?: Query) {
    return this.request<void>('DELETE', path, { query });
  }
  /** DELETE that answers with a body (e.g. the task after removing an assignee). */
  delJson<T>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, { headers });
  }

  /** Resolves an access token (refreshing if needed) for the XHR uploader. */
  async ensureToken(): Promise<string> {
    if (!this.#token) await this.refresh();
    if (!this.#token) throw new ApiError(401, 'unauthorized', 'Please sign in again.');
    return this.#token;
  }
}

export const api = new ApiClient();

/** `/projects/WEB` style prefix for project-scoped paths. */
export const projectPath = (key: string) => `/projects/${encodeURIComponent(key)}`;

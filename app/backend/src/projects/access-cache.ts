// Per-process memory of resolved project access, so a cached read (board, task list) needs no
// MongoDB command for its access check. An entry (userId, projectId) is only used while the
// project's cache version in Redis is the one read *before* the entry was loaded from MongoDB:
// every change to a project or its members bumps that version, so a change that lands while an
// entry is being loaded also makes it unusable. Entries also expire after `ttlMs` (a safety net
// for a version bump lost with Redis), and the least recently used go beyond `maxEntries`.
// Pure bookkeeping: what to store and when to bypass it is decided in access.ts.

export interface AccessCache<V> {
  /** The value of (userId, projectId) if it was stored at `version` and has not expired. */
  get(userId: string, projectId: string, version: string): V | undefined;
  set(userId: string, projectId: string, version: string, value: V): void;
  /** The project id a project key resolved to last: a hint, the version check decides. */
  idOfKey(key: string): string | undefined;
  rememberKey(key: string, projectId: string): void;
  /** Forgets everything (Redis reconnected: its versions may have been lost). */
  clear(): void;
  readonly size: number;
}

/** A Map used as an LRU: a read moves the key to the end, inserts evict from the front. */
class Lru<T> {
  readonly #max: number;
  readonly #map = new Map<string, T>();
  constructor(max: number) {
    this.#max = max;
  }
  get size() {
    return this.#map.size;
  }
  get(k: string): T | undefined {
    const v = this.#map.get(k);
    if (v === undefined) return undefined;
    this.#map.delete(k);
    this.#map.set(k, v);
    return v;
  }
  set(k: string, v: T) {
    this.#map.delete(k);
    this.#map.set(k, v);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
  }
  delete(k: string) {
    this.#map.delete(k);
  }
  clear() {
    this.#map.clear();
  }
}

export function createAccessCache<V>(opts: {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}): AccessCache<V> {
  const { ttlMs, maxEntries = 5000, now = Date.now } = opts;
  const entries = new Lru<{ version: string; expires: number; value: V }>(maxEntries);
  const keys = new Lru<string>(maxEntries);
  const id = (userId: string, projectId: string) => `${userId}:${projectId}`;
  return {
    get(userId, projectId, version) {
      const k = id(userId, projectId);
      const e = entries.get(k);
      if (!e) return undefined;
      if (e.version !== version || e.expires <= now()) {
        entries.delete(k);
        return undefined;
      }
      return e.value;
    },
    set(userId, projectId, version, value) {
      entries.set(id(userId, projectId), { version, expires: now() + ttlMs, value });
    },
    idOfKey: (key) => keys.get(key),
    rememberKey: (key, projectId) => keys.set(key, projectId),
    clear() {
      entries.clear();
      keys.clear();
    },
    get size() {
      return entries.size;
    },
  };
}

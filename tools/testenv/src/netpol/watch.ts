// List+watch of one resource over HTTPS with a client certificate (the informer pattern, small):
// list (paginated) → watch from the list's resourceVersion → follow events; a watch that ends
// is resumed from the last resourceVersion (bookmarks keep it fresh); 410 Gone re-lists; any
// other error re-lists after an exponential back-off (200 ms doubling to 30 s).
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { EngineConfig } from './types.ts';

export type ApiAccess = Pick<EngineConfig, 'server' | 'ca' | 'cert' | 'key'>;

interface Meta {
  name: string;
  namespace?: string;
  resourceVersion?: string;
}
interface ListBody<R> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: R[];
}
interface WatchEvent<R> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: R & { metadata: Meta; code?: number; message?: string };
}

class Gone extends Error {}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class Reflector<R extends { metadata: Meta }, T> {
  /** Slim objects by namespace/name. */
  readonly items = new Map<string, T>();
  resourceVersion = '';
  listed = false;
  /** Full lists made so far (one, unless a watch failed or expired). */
  lists = 0;
  private readonly agent: Agent;
  private readonly stop = new AbortController();
  private readonly seen = new Map<string, string>();
  private readonly server: string;
  private readonly path: string;
  private readonly slim: (o: R) => T;
  private readonly onChange: () => void;
  private readonly log: (m: string) => void;
  private readonly watchSeconds: () => number;

  constructor(
    access: ApiAccess,
    path: string,
    slim: (o: R) => T,
    onChange: () => void,
    log: (m: string) => void,
    /** How long the server keeps one watch open (tests use 1 s to exercise the resume). */
    watchSeconds = (): number => 240 + Math.floor(Math.random() * 60),
  ) {
    this.watchSeconds = watchSeconds;
    this.server = access.server;
    this.path = path;
    this.slim = slim;
    this.onChange = onChange;
    this.log = log;
    this.agent = new Agent({
      ca: readFileSync(access.ca),
      cert: readFileSync(access.cert),
      key: readFileSync(access.key),
      keepAlive: true,
    });
  }

  close(): void {
    this.stop.abort();
    this.agent.destroy();
  }

  async run(): Promise<void> {
    let backoff = 200;
    while (!this.stop.signal.aborted) {
      try {
        await this.list();
        backoff = 200;
        while (!this.stop.signal.aborted) await this.watch();
      } catch (err) {
        if (this.stop.signal.aborted) return;
        if (err instanceof Gone) {
          this.log(`${this.path}: resourceVersion expired, listing again`);
          continue;
        }
        this.log(`${this.path}: ${(err as Error).message}; listing again in ${backoff} ms`);
        await sleep(backoff, this.stop.signal);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  /** The path with more query parameters (it may carry a selector already). */
  private withQuery(q: URLSearchParams): string {
    return `${this.path}${this.path.includes('?') ? '&' : '?'}${q}`;
  }

  private key(o: R): string {
    return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
  }

  /** Stores a slim copy; true when it differs from what was there. */
  private put(o: R): boolean {
    const k = this.key(o);
    const slim = this.slim(o);
    const json = JSON.stringify(slim);
    if (this.seen.get(k) === json) return false;
    this.seen.set(k, json);
    this.items.set(k, slim);
    return true;
  }

  private async list(): Promise<void> {
    const fresh: R[] = [];
    let cont = '';
    let rv = '';
    do {
      const q = new URLSearchParams({ limit: '500', ...(cont ? { continue: cont } : {}) });
      const { status, body } = await this.get(this.withQuery(q));
      if (status === 410) throw new Gone(); // the continue token expired mid-list
      if (status !== 200) throw new Error(`list ${status}: ${body.slice(0, 200)}`);
      const page = JSON.parse(body) as ListBody<R>;
      fresh.push(...(page.items ?? []));
      cont = page.metadata?.continue ?? '';
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    let changed = !this.listed;
    const keep = new Set(fresh.map((o) => this.key(o)));
    for (const k of [...this.items.keys()])
      if (!keep.has(k)) {
        this.items.delete(k);
        this.seen.delete(k);
        changed = true;
      }
    for (const o of fresh) changed = this.put(o) || changed;
    this.resourceVersion = rv;
    this.listed = true;
    this.lists++;
    if (changed) this.onChange();
  }

  private get(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.server),
        { agent: this.agent, signal: this.stop.signal, timeout: 30_000 },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end();
    });
  }

  /** One watch request, until the server ends it (resolves) or it fails (rejects). */
  private watch(): Promise<void> {
    const q = new URLSearchParams({
      watch: '1',
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      // Spread out by default, so the watches do not all reconnect at once.
      timeoutSeconds: String(this.watchSeconds()),
    });
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(this.withQuery(q), this.server),
        // No byte for 6 minutes (the server ends a watch within 5): the connection is dead.
        { agent: this.agent, signal: this.stop.signal, timeout: 360_000 },
        (res) => {
          if (res.statusCode === 410) return (res.resume(), reject(new Gone()));
          if (res.statusCode !== 200)
            return (res.resume(), reject(new Error(`watch ${res.statusCode}`)));
          res.setEncoding('utf8');
          let buf = '';
          res.on('data', (d: string) => {
            buf += d;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              try {
                this.event(JSON.parse(line) as WatchEvent<R>);
              } catch (err) {
                req.destroy(err as Error);
                return;
              }
            }
          });
          res.on('end', () => resolve());
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('watch went silent')));
      req.on('error', reject);
      req.end();
    });
  }

  private event(e: WatchEvent<R>): void {
    if (e.type === 'ERROR') {
      if (e.object.code === 410) throw new Gone();
      throw new Error(`watch error ${e.object.code ?? ''}: ${e.object.message ?? ''}`);
    }
    const rv = e.object.metadata.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (e.type === 'BOOKMARK') return;
    if (e.type === 'DELETED') {
      const k = this.key(e.object);
      this.seen.delete(k);
      if (this.items.delete(k)) this.onChange();
      return;
    }
    if (this.put(e.object)) this.onChange();
  }
}

// A thin REST client over node:http(s): JSON requests, lists, and streamed logs. Credentials come
// from client-node's KubeConfig (applyToHTTPSOptions), everything else is plain HTTP so the
// single executable stays small and every error can be turned into one line with its fix.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { UserError } from './errors.ts';
import type { Connection } from './kubeconfig.ts';
import { apiVersion, resourcePath, type Resource } from './resources.ts';

/** A Kubernetes object as JSON; fields are read defensively (the server is the schema). */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: unknown;
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

/** The API server answered with an error Status. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
  }
}

interface SendOptions {
  body?: unknown;
  contentType?: string;
  /** Socket idle timeout; 0 for a follow stream that may stay quiet for long. */
  timeoutMs?: number;
}

export class Kube {
  readonly conn: Connection;
  constructor(conn: Connection) {
    this.conn = conn;
  }

  get namespace(): string {
    return this.conn.namespace;
  }

  private async open(method: string, path: string, o: SendOptions = {}): Promise<IncomingMessage> {
    const url = new URL(this.conn.server.replace(/\/+$/, '') + path);
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    const opts: https.RequestOptions = {
      method,
      headers: {
        Accept: 'application/json, */*',
        'User-Agent': 'kubectl-pms',
        ...(payload !== undefined
          ? {
              'Content-Type': o.contentType ?? 'application/json',
              'Content-Length': Buffer.byteLength(payload),
            }
          : {}),
      },
    };
    try {
      await this.conn.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw new UserError(
        `cannot get credentials for context "${this.conn.context}" from ${this.conn.source}: ${(e as Error).message}`,
      );
    }
    const plainHttp = url.protocol === 'http:';
    // client-node always sets an https.Agent; a plain-http server (kubectl proxy) needs none.
    if (plainHttp) delete opts.agent;
    return new Promise((resolve, reject) => {
      const req = (plainHttp ? http : https).request(url, opts, resolve);
      const timeout = o.timeoutMs ?? 30_000;
      if (timeout > 0) {
        req.setTimeout(timeout, () =>
          req.destroy(new Error(`no answer within ${timeout / 1000}s`)),
        );
      }
      req.on('error', (e) => reject(this.unreachable(e)));
      req.end(payload);
    });
  }

  private unreachable(e: Error): UserError {
    return new UserError(
      `cannot reach the Kubernetes API server ${this.conn.server} (context "${this.conn.context}" from ` +
        `${this.conn.source}): ${e.message}; check that the cluster is running, or pick another with --kubeconfig or --context`,
    );
  }

  private async read(res: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private async fail(res: IncomingMessage): Promise<never> {
    const text = (await this.read(res)).toString('utf8');
    let message = text.trim() || res.statusMessage || 'request failed';
    let reason = '';
    try {
      const status = JSON.parse(text) as { message?: string; reason?: string };
      message = status.message ?? message;
      reason = status.reason ?? '';
    } catch {
      // Not a Status object (a proxy's HTML page, say): keep the raw text.
    }
    if (res.statusCode === 401) {
      throw new UserError(
        `the API server ${this.conn.server} rejected the credentials of context "${this.conn.context}" (401 Unauthorized); renew them in ${this.conn.source}`,
      );
    }
    throw new ApiError(res.statusCode ?? 0, reason, message);
  }

  async request<T = unknown>(method: string, path: string, o: SendOptions = {}): Promise<T> {
    const res = await this.open(method, path, o);
    if ((res.statusCode ?? 0) >= 400) return this.fail(res);
    const body = (await this.read(res)).toString('utf8');
    return (body === '' ? undefined : JSON.parse(body)) as T;
  }

  /** A text endpoint such as pod logs. */
  async text(path: string): Promise<string> {
    const res = await this.open('GET', path);
    if ((res.statusCode ?? 0) >= 400) return this.fail(res);
    return (await this.read(res)).toString('utf8');
  }

  /** Streams a text endpoint (logs with follow=true) chunk by chunk until the server closes it. */
  async stream(path: string, onChunk: (chunk: Buffer) => void): Promise<void> {
    const res = await this.open('GET', path, { timeoutMs: 0 });
    if ((res.statusCode ?? 0) >= 400) return this.fail(res);
    for await (const c of res) onChunk(c as Buffer);
  }

  async get(res: Resource, name: string, namespace = this.namespace): Promise<KObject> {
    return this.request<KObject>('GET', resourcePath(res, namespace, name));
  }

  /** undefined on 404, so callers can say what is missing and how to fix it. */
  async find(
    res: Resource,
    name: string,
    namespace = this.namespace,
  ): Promise<KObject | undefined> {
    try {
      return await this.get(res, name, namespace);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Every object of a kind (namespace undefined: all namespaces), with kind/apiVersion filled in. */
  async list(
    res: Resource,
    namespace: string | undefined,
    labelSelector?: string,
  ): Promise<KObject[]> {
    const items: KObject[] = [];
    let cont: string | undefined;
    do {
      const page = await this.request<{ items?: KObject[]; metadata?: { continue?: string } }>(
        'GET',
        resourcePath(res, namespace, undefined, undefined, {
          labelSelector,
          limit: '500',
          continue: cont,
        }),
      );
      for (const item of page.items ?? []) {
        items.push({ apiVersion: apiVersion(res), kind: res.kind, ...item });
      }
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  /** JSON merge patch (RFC 7386) of the object's spec or metadata. */
  async mergePatch(
    res: Resource,
    name: string,
    patch: Record<string, unknown>,
    namespace = this.namespace,
  ): Promise<KObject> {
    return this.request<KObject>('PATCH', resourcePath(res, namespace, name), {
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  async create(res: Resource, obj: KObject, namespace = this.namespace): Promise<KObject> {
    return this.request<KObject>('POST', resourcePath(res, namespace), { body: obj });
  }
}

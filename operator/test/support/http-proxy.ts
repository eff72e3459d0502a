// A plain-HTTP reverse proxy in front of the API server that records every request (method,
// path, when it was forwarded) and can misbehave on purpose:
//  - `intercept(fn)`: a request `fn` says 'hold' is held, never forwarded (a partition of just
//    those); one it says 'fail' is answered 503 at once;
//  - `closeWatches`: a watch request is answered 200 with an empty body and closed at once.
// The operator talks to it over HTTP; the proxy authenticates upstream with `token`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** When the proxy forwarded (or itself answered) it; undefined while held or failed. */
  forwardedAt?: number;
  held: boolean;
}

export interface HttpProxy {
  kc: KubeConfig;
  requests: ProxiedRequest[];
  /** Decide per request; undefined forwards everything again. */
  intercept(fn: Interceptor | undefined): void;
  closeWatches: boolean;
  /** Cuts every forwarded watch that is still open. */
  dropWatches(): void;
  close(): Promise<void>;
}

export type Interceptor = (r: { method: string; path: string }) => 'hold' | 'fail' | undefined;

export const isWrite = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);
export const isWatch = (path: string) => /[?&]watch=(true|1)/.test(path);

export async function startHttpProxy(upstream: KubeConfig, token: string): Promise<HttpProxy> {
  const cluster = upstream.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster');
  const target = new URL(cluster.server);
  const tls: { ca?: Buffer | string } = {};
  await upstream.applyToHTTPSOptions(tls as never);
  let interceptor: Interceptor | undefined;
  const held: ServerResponse[] = [];
  const watches = new Set<ServerResponse>();
  const proxy: HttpProxy = {
    kc: new KubeConfig(),
    requests: [],
    intercept: (fn) => {
      interceptor = fn;
    },
    closeWatches: false,
    dropWatches: () => {
      for (const res of watches) res.destroy();
      watches.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const res of held.splice(0)) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  const forward = (req: IncomingMessage, res: ServerResponse, rec: ProxiedRequest) => {
    rec.forwardedAt = Date.now();
    const up = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: rec.method,
        path: rec.path,
        headers: { ...req.headers, host: target.host, authorization: `Bearer ${token}` },
        ca: tls.ca,
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        // As the API server does for a watch: headers now, not with the first event.
        res.flushHeaders();
        ur.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
    res.on('close', () => up.destroy());
  };
  const server: Server = createServer((req, res) => {
    const rec: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', held: false };
    proxy.requests.push(rec);
    const verdict = interceptor?.(rec);
    if (verdict === 'hold') {
      rec.held = true;
      held.push(res);
      req.resume();
      return;
    }
    if (verdict === 'fail') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503 }));
      return;
    }
    if (proxy.closeWatches && isWatch(rec.path)) {
      rec.forwardedAt = Date.now();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end();
      return;
    }
    if (isWatch(rec.path)) {
      watches.add(res);
      res.on('close', () => watches.delete(res));
    }
    forward(req, res, rec);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  proxy.kc.loadFromOptions({
    clusters: [{ name: 'proxy', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'proxy', token: 'via-proxy' }],
    contexts: [{ name: 'proxy', cluster: 'proxy', user: 'proxy' }],
    currentContext: 'proxy',
  });
  return proxy;
}

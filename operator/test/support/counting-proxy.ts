// A plain-HTTP reverse proxy in front of the API server that counts requests by verb: the
// operator talks through it, so a test can prove the steady state makes zero write calls.
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface CountingProxy {
  /** A KubeConfig like `upstream` whose server is the proxy. */
  kc: KubeConfig;
  /** Write requests (POST/PUT/PATCH/DELETE) seen since the last reset: "METHOD path". */
  writes: string[];
  reads: number;
  /** Every request since the last reset: "METHOD url" (url with its query). */
  requests: string[];
  reset(): void;
  close(): Promise<void>;
}

/** Proxies to `upstream`'s server, authenticating with `token`. */
export async function startCountingProxy(
  upstream: KubeConfig,
  token: string,
): Promise<CountingProxy> {
  const cluster = upstream.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster');
  const target = new URL(cluster.server);
  const tls: { ca?: Buffer | string } = {};
  await upstream.applyToHTTPSOptions(tls as never);
  const state = { writes: [] as string[], reads: 0, requests: [] as string[] };
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    state.requests.push(`${method} ${req.url}`);
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(method))
      state.writes.push(`${method} ${req.url}`);
    else state.reads++;
    const up = request(
      {
        hostname: target.hostname,
        port: target.port,
        method,
        path: req.url,
        headers: { ...req.headers, host: target.host, authorization: `Bearer ${token}` },
        ca: tls.ca,
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
    res.on('close', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'proxy', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'proxy', token: 'via-proxy' }],
    contexts: [{ name: 'proxy', cluster: 'proxy', user: 'proxy' }],
    currentContext: 'proxy',
  });
  return {
    kc,
    get writes() {
      return state.writes;
    },
    get reads() {
      return state.reads;
    },
    get requests() {
      return state.requests;
    },
    reset() {
      state.writes = [];
      state.reads = 0;
      state.requests = [];
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

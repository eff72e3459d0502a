// A plain-HTTP reverse proxy in front of the API server that counts every request the
// operator makes (watches included) and remembers writes. It authenticates upstream with the
// kubeconfig's client certificate.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Agent, request } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';

export interface BenchProxy {
  url: string;
  requests: number;
  writes: string[];
  /** Requests by `VERB resource` (`GET pmsinstances`, `WATCH secrets`, `PATCH pmsinstances/status`). */
  byKind: Map<string, number>;
  reset(): void;
  close(): Promise<void>;
}

export async function startBenchProxy(kc: KubeConfig): Promise<BenchProxy> {
  const target = new URL(kc.getCurrentCluster()?.server ?? '');
  const tls: RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const state = { requests: 0, writes: [] as string[], byKind: new Map<string, number>() };
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    state.requests += 1;
    const kind = requestKind(method, req.url ?? '/');
    state.byKind.set(kind, (state.byKind.get(kind) ?? 0) + 1);
    if (method !== 'GET' && method !== 'HEAD') state.writes.push(`${method} ${req.url}`);
    const headers = { ...req.headers, host: target.host };
    delete headers.authorization;
    const up = request(
      {
        ...tls,
        agent,
        hostname: target.hostname,
        port: target.port,
        method,
        path: req.url,
        headers,
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
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get writes() {
      return state.writes;
    },
    get byKind() {
      return state.byKind;
    },
    reset() {
      state.requests = 0;
      state.writes = [];
      state.byKind = new Map();
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
        agent.destroy();
      }),
  };
}

/**
 * `VERB resource[/subresource]` of an API request: `LIST secrets` for a collection GET,
 * `WATCH secrets` for `?watch=true`, `GET pmsinstances` for one object, `PATCH
 * pmsinstances/status` for a subresource.
 */
export function requestKind(method: string, url: string): string {
  const u = new URL(url, 'http://x');
  const parts = u.pathname.split('/').filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const [resource = '?', name, sub] = rest;
  let verb = method;
  if (method === 'GET')
    verb =
      u.searchParams.get('watch') === 'true' || u.searchParams.get('watch') === '1'
        ? 'WATCH'
        : name
          ? 'GET'
          : 'LIST';
  return `${verb} ${resource}${sub ? `/${sub}` : ''}`;
}

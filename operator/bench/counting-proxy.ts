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
  reset(): void;
  close(): Promise<void>;
}

export async function startBenchProxy(kc: KubeConfig): Promise<BenchProxy> {
  const target = new URL(kc.getCurrentCluster()?.server ?? '');
  const tls: RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const state = { requests: 0, writes: [] as string[] };
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    state.requests += 1;
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
    reset() {
      state.requests = 0;
      state.writes = [];
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
        agent.destroy();
      }),
  };
}

// A minimal raw JSON client for the benchmark: keep-alive HTTPS with the kubeconfig's TLS
// credentials, no model (de)serialisation, so the baseline measures the API server, not the
// client library.
import { Agent, request } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface RawClient {
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: unknown }>;
  count: number;
  close(): void;
}

export async function rawClient(kc: KubeConfig, maxSockets = 64): Promise<RawClient> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const tls: RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const client: RawClient = {
    count: 0,
    close: () => agent.destroy(),
    request: (method, path, body, contentType = 'application/json') => {
      client.count += 1;
      return new Promise((resolve, reject) => {
        const req = request(
          {
            ...tls,
            agent,
            method,
            hostname: server.hostname,
            port: server.port,
            path,
            headers: { 'content-type': contentType, accept: 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown = text;
              try {
                parsed = JSON.parse(text);
              } catch {
                // not JSON
              }
              resolve({ status: res.statusCode ?? 0, body: parsed });
            });
          },
        );
        req.on('error', reject);
        if (body !== undefined) req.write(JSON.stringify(body));
        req.end();
      });
    },
  };
  return client;
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

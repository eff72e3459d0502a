// Minimal HTTPS client with client-certificate auth, used only to bootstrap the local cluster
// (readiness and creating the simulated Node objects) before any real client is configured.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface TlsClient {
  server: string;
  ca: string;
  cert: string;
  key: string;
}

export function kubeRequest(
  c: TlsClient,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, c.server),
      {
        method,
        ca: readFileSync(c.ca),
        cert: readFileSync(c.cert),
        key: readFileSync(c.key),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: 5000,
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

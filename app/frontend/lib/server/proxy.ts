import 'server-only';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { config } from './config.ts';
import { metrics } from './metrics.ts';

// RFC 9110 hop-by-hop headers, plus host (the backend sees its own host).
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function errorResponse(status: number, error: string, message: string): Response {
  return Response.json({ error, message }, { status, headers: { 'cache-control': 'no-store' } });
}

export async function forward(req: Request): Promise<Response> {
  const { BACKEND_URL, BACKEND_TIMEOUT_MS } = config();
  const incoming = new URL(req.url);
  const target = new URL(incoming.pathname + incoming.search, BACKEND_URL);

  const headers: Record<string, string> = {};
  req.headers.forEach((value, key) => {
    if (!HOP.has(key)) headers[key] = value;
  });
  // Ask for an identity body: Next compresses what it serves itself, and a pre-compressed body
  // passed through a route handler would be decoded twice or not at all.
  delete headers['accept-encoding'];
  headers['x-forwarded-host'] ??= incoming.host;
  headers['x-forwarded-proto'] ??= incoming.protocol.replace(':', '');

  const hasBody = req.body !== null && req.method !== 'GET' && req.method !== 'HEAD';
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<Response>((resolve) => {
    let settled = false;
    const done = (r: Response) => {
      if (!settled) {
        settled = true;
        metrics().proxied.inc({ method: req.method, status: String(r.status) });
        resolve(r);
      }
    };
    const upstream = send(
      target,
      { method: req.method, headers, timeout: BACKEND_TIMEOUT_MS },
      (res: IncomingMessage) => {
        const out = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (value === undefined || HOP.has(key)) continue;
          for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
        }
        const status = res.statusCode ?? 502;
        const empty = status === 204 || status === 304 || req.method === 'HEAD';
        if (empty) res.resume();
        done(
          new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
            status,
            statusText: res.statusMessage,
            headers: out,
          }),
        );
      },
    );
    upstream.on('timeout', () => {
      upstream.destroy();
      done(errorResponse(504, 'gateway_timeout', 'The API did not answer in time'));
    });
    upstream.on('error', () => {
      done(errorResponse(502, 'bad_gateway', 'The API is not reachable'));
    });
    req.signal?.addEventListener('abort', () => upstream.destroy());
    if (hasBody && req.body) {
      Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>)
        .on('error', () => upstream.destroy())
        .pipe(upstream);
    } else {
      upstream.end();
    }
  });
}

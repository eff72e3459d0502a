// One HTTP POST of a webhook payload: the target checked and pinned (target.ts), a hard
// deadline, no redirects (Node's http client never follows them; a 3xx is a failure), a fresh
// connection per request (no pooled socket to an address checked for another delivery).
import http from 'node:http';
import https from 'node:https';
import { pinnedLookup, resolveTarget, TargetRefused, urlProblem, type Resolver } from './target.ts';
import type { TargetPolicy } from './address.ts';

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** The target was refused by the SSRF policy (retrying will not help unless DNS changes). */
  refused: boolean;
}

export async function postJson(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  opts: { policy: TargetPolicy; timeoutMs: number; resolve?: Resolver },
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const problem = urlProblem(rawUrl);
  if (problem) return { ok: false, statusCode: null, durationMs: 0, error: problem, refused: true };
  const url = new URL(rawUrl);
  let addresses;
  try {
    addresses = await resolveTarget(url, opts.policy, opts.resolve);
  } catch (err) {
    const refused = err instanceof TargetRefused;
    return {
      ok: false,
      statusCode: null,
      durationMs: elapsed(),
      error: (err as Error).message,
      refused,
    };
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const done = (r: Omit<AttemptResult, 'durationMs' | 'refused'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: elapsed(), refused: false });
    };
    const req = mod.request(url, {
      method: 'POST',
      agent: false,
      lookup: pinnedLookup(addresses),
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    const timer = setTimeout(() => {
      done({ ok: false, statusCode: null, error: `timed out after ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      // The body is not kept: read and drop it (bounded by the deadline) to end cleanly.
      res.resume();
      res.on('end', () => {
        const ok = status >= 200 && status < 300;
        let error: string | null = null;
        if (status >= 300 && status < 400) error = `redirect not followed (HTTP ${status})`;
        else if (!ok) error = `HTTP ${status}`;
        done({ ok, statusCode: status, error });
      });
      res.on('error', (err) => done({ ok: false, statusCode: status, error: err.message }));
    });
    req.on('error', (err) => done({ ok: false, statusCode: null, error: err.message }));
    req.end(body);
  });
}

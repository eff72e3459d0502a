// The browser side of live events: a fetch-based server-sent events client. EventSource cannot
// send the `Authorization: Bearer` header (the access token lives in memory only and the refresh
// cookie is scoped to /api/v1/auth), so this client does what EventSource does natively —
// reconnect after the server's `retry:` and send Last-Event-ID — with a fresh token each time.
import { API_BASE, api } from './client/api.ts';
import {
  backoffMs,
  type LiveMessage,
  type LiveProjectEvent,
  type LiveStatus,
  type LiveUserEvent,
} from './live.ts';
import { createSseParser } from './live-sse.ts';

export interface LiveClientOptions {
  /** `/projects/KEY/events` or `/me/events`. */
  path: string;
  onMessage: (m: LiveMessage) => void;
  onStatus: (s: LiveStatus, detail?: string) => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Starts the connection; returns the function that stops it. */
export function connectLive(o: LiveClientOptions): () => void {
  const stop = new AbortController();
  void run(o, stop.signal);
  return () => stop.abort();
}

async function run(o: LiveClientOptions, signal: AbortSignal): Promise<void> {
  let lastEventId = '';
  let retryMs = 3000;
  let attempt = 0;
  let connectedOnce = false;
  // A 401 right after a refresh is not retried at once (no tight loop on a refused token).
  let justRefreshed = false;
  while (!signal.aborted) {
    o.onStatus(connectedOnce || attempt > 0 ? 'reconnecting' : 'connecting');
    let wait: number | null = null;
    try {
      const token = await api.ensureToken();
      const res = await fetch(`${API_BASE}${o.path}`, {
        headers: {
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        cache: 'no-store',
        signal,
      });
      if (res.status === 401 && !justRefreshed) {
        await res.body?.cancel();
        await api.refresh(); // ends the session (and this connection) when it fails
        justRefreshed = true;
        continue;
      }
      justRefreshed = false;
      if (res.status === 404 || res.status === 403) {
        await res.body?.cancel();
        o.onStatus('offline', 'No access to this project’s live updates');
        return;
      }
      if (res.status === 429) {
        const body = (await res.json().catch(() => null)) as { message?: string } | null;
        o.onStatus('offline', body?.message ?? 'Too many open live connections');
        wait = 30_000;
      } else if (!res.ok || !res.body) {
        await res.body?.cancel();
      } else {
        const parser = createSseParser(lastEventId);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const e of parser.push(value)) {
            lastEventId = e.lastEventId;
            const m = toMessage(e.event, e.data, connectedOnce, lastEventId);
            if (e.event === 'ready') {
              connectedOnce = true;
              attempt = 0;
              o.onStatus('live');
            }
            if (m) o.onMessage(m);
          }
          retryMs = parser.retry ?? retryMs;
        }
        // The server ended the stream (lifetime, shutdown, a Redis reconnect): resume soon,
        // spread over a second so that a whole replica's clients do not return at once.
        if (connectedOnce && attempt === 0) wait = 250 + Math.random() * 1000;
      }
    } catch (err) {
      if (signal.aborted) return;
      void err; // network error or a failed refresh: back off and try again
    }
    await sleep(wait ?? backoffMs(attempt, retryMs, Math.random()), signal);
    attempt++;
  }
}

/** Wire event → what screens hear. A reconnect with nothing to replay from is a resync. */
function toMessage(
  event: string,
  data: string,
  reconnected: boolean,
  lastEventId: string,
): LiveMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (event === 'project') return { kind: 'project', event: parsed as LiveProjectEvent };
  if (event === 'user') return { kind: 'user', event: parsed as LiveUserEvent };
  if (event === 'reset') return { kind: 'resync' };
  if (event === 'ready')
    return reconnected && !lastEventId ? { kind: 'resync' } : { kind: 'ready' };
  return null;
}

// An incremental parser of the server-sent events wire format (WHATWG HTML, "event stream
// interpretation"), for the fetch-based live client: the browser's EventSource cannot send the
// Authorization header this app authenticates with (the access token lives in memory only).

export interface SseEvent {
  /** `message` when the stream named none. */
  event: string;
  data: string;
  /** The last event id after this event (the value sent back as Last-Event-ID). */
  lastEventId: string;
}

export interface SseParser {
  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[];
  /** The reconnection time the server asked for (`retry:`), if any. */
  readonly retry: number | null;
  /** Comment lines seen (heartbeats). */
  readonly comments: number;
}

export function createSseParser(lastEventId = ''): SseParser {
  let buf = '';
  let data: string[] = [];
  let event = '';
  let idBuffer = lastEventId;
  let retry: number | null = null;
  let comments = 0;
  // A chunk may end between \r and \n: hold a trailing \r until the next chunk.
  const line = (l: string, out: SseEvent[]) => {
    if (l === '') {
      if (data.length > 0)
        out.push({ event: event || 'message', data: data.join('\n'), lastEventId: idBuffer });
      data = [];
      event = '';
      return;
    }
    if (l.startsWith(':')) {
      comments++;
      return;
    }
    const i = l.indexOf(':');
    const field = i < 0 ? l : l.slice(0, i);
    let value = i < 0 ? '' : l.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) idBuffer = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  };
  return {
    get retry() {
      return retry;
    },
    get comments() {
      return comments;
    },
    push(text) {
      const out: SseEvent[] = [];
      buf += text;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buf);
        if (!m) break;
        // A lone \r at the very end may be the first half of \r\n.
        if (m[0] === '\r' && m.index === buf.length - 1) break;
        line(buf.slice(0, m.index), out);
        buf = buf.slice(m.index + m[0].length);
      }
      return out;
    },
  };
}

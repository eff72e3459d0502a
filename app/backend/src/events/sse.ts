// Server-sent events wire format (WHATWG HTML "event stream"), as pure functions. Each message is
// `id:` (optional), `event:` (optional) and one `data:` line per line of the JSON, then a blank
// line. JSON never contains a raw newline, but splitting keeps the writer correct for any text.

export interface SseMessage {
  /** Becomes the browser's lastEventId (sent back as Last-Event-ID on reconnect). */
  id?: string;
  event?: string;
  data: unknown;
}

const clean = (v: string) => v.replace(/[\r\n]/g, ' ');

export function formatMessage(m: SseMessage): string {
  let out = '';
  if (m.id !== undefined) out += `id: ${clean(m.id)}\n`;
  if (m.event !== undefined) out += `event: ${clean(m.event)}\n`;
  const text = typeof m.data === 'string' ? m.data : JSON.stringify(m.data);
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: ignored by clients, but traffic that keeps proxies from timing the stream out. */
export const formatComment = (text: string): string => `: ${clean(text)}\n\n`;

/** Tells the client how long to wait before reconnecting (ms). */
export const formatRetry = (ms: number): string => `retry: ${Math.max(0, Math.round(ms))}\n\n`;

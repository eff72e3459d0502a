// JSON lines on stdout (one object per line: time, level, msg, then fields), the format log
// collectors parse without configuration. Logger is what the runtime and the reconcilers
// (ReconcileContext.log) log through.

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogSink = (line: string) => void;

/**
 * One line for any error. client-node's ApiException message is the whole HTTP exchange
 * ("HTTP-Code: 503\nMessage: ...\nBody: {...}\nHeaders: {...}"), which floods the log while the
 * API server initialises; for those this gives `<code> <reason>: <Status message>`, e.g.
 * `503 ServiceUnavailable: the server is currently unable to handle the request`.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const body = (err as { body?: unknown }).body;
  if (typeof code === 'number' && body !== undefined) {
    let status: { reason?: string; message?: string } = {};
    if (typeof body === 'string') {
      try {
        status = JSON.parse(body) as typeof status;
      } catch {
        status = { message: body };
      }
    } else if (body && typeof body === 'object') {
      status = body as typeof status;
    }
    const text = (status.message ?? '').split('\n')[0]?.slice(0, 300) ?? '';
    return `${code}${status.reason ? ` ${status.reason}` : ''}${text ? `: ${text}` : ''}`;
  }
  return err.message;
}

function serialiseError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  // An API error: its one-line summary; the stack of a failed HTTP call says nothing more.
  if (typeof code === 'number' && (value as { body?: unknown }).body !== undefined) {
    return { name: value.name, code, message: describeError(value) };
  }
  const out: Record<string, unknown> = { name: value.name, message: value.message };
  if (code !== undefined) out.code = code;
  if (value.stack) out.stack = value.stack;
  return out;
}

export function createLogger(
  level: LogLevel = 'info',
  fields: Record<string, unknown> = {},
  sink: LogSink = (line) => process.stdout.write(line + '\n'),
): Logger {
  const min = rank[level];
  const write = (
    lvl: Exclude<LogLevel, 'silent'>,
    msg: string,
    extra?: Record<string, unknown>,
  ) => {
    if (rank[lvl] < min) return;
    const record: Record<string, unknown> = {
      time: new Date().toISOString(),
      level: lvl,
      msg,
      ...fields,
    };
    for (const [k, v] of Object.entries(extra ?? {})) record[k] = serialiseError(v);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record.time, level: lvl, msg, unserialisable: true });
    }
    sink(line);
  };
  return {
    debug: (msg, extra) => write('debug', msg, extra),
    info: (msg, extra) => write('info', msg, extra),
    warn: (msg, extra) => write('warn', msg, extra),
    error: (msg, extra) => write('error', msg, extra),
    child: (more) => createLogger(level, { ...fields, ...more }, sink),
  };
}

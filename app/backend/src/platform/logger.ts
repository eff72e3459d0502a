// JSON logs with pino; every request gets a child logger carrying its request id.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactUri } from './connection-uri.ts';

/**
 * Every finished line passes through `redactUri`, so credentials inside any URI (a driver error
 * quoting MONGODB_URI or REDIS_URL, whatever field it lands in) never reach the log.
 */
export function redactingStream(write: (line: string) => void): DestinationStream {
  return { write: (line: string) => write(redactUri(line)) };
}

export function createLogger(
  level: string,
  name = 'pms-backend',
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger {
  return pino(
    {
      name,
      level,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'],
    },
    redactingStream(write),
  );
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    const start = process.hrtime.bigint();
    const log = logger.child({ reqId: id });
    (req as { log?: Logger }).log = log;
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log.info(
        { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms) },
        'request',
      );
    });
    next();
  };
}

// One error hierarchy, mapped to HTTP in one place (errorHandler). Services throw these; routes
// never build error responses themselves.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

export interface ErrorDetail {
  path: string;
  message: string;
}

export const ERROR_STATUS = {
  validation_error: 400,
  bad_request: 400,
  unauthorized: 401,
  token_expired: 401,
  invalid_credentials: 401,
  token_reused: 401,
  forbidden: 403,
  feature_disabled: 403,
  not_found: 404,
  conflict: 409,
  // A one-time link (invitation, password reset) that was used, revoked or has expired.
  gone: 410,
  length_required: 411,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  maintenance: 503,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;
  /** Extra top-level fields of the error body (e.g. `current` on 412). */
  readonly extra: Record<string, unknown>;
  constructor(
    code: ErrorCode,
    message: string,
    opts: {
      details?: ErrorDetail[];
      headers?: Record<string, string>;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details;
    this.headers = opts.headers ?? {};
    this.extra = opts.extra ?? {};
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do this') =>
  new AppError('forbidden', message);
export const conflict = (message: string) => new AppError('conflict', message);
export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new AppError('bad_request', message, details ? { details } : {});
export const unauthorized = (message = 'Authentication required') =>
  new AppError('unauthorized', message);

/** MongoDB's duplicate-key error (E11000): a unique index refused the write. */
export const isDuplicateKey = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;

/**
 * Runs a write whose unique index is the real guard against a duplicate (a read beforehand only
 * gives the common case a clear answer: two concurrent writers both pass it). A duplicate key
 * becomes 409 `message`; any other error passes through.
 */
export async function conflictOnDuplicate<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isDuplicateKey(err)) throw conflict(message);
    throw err;
  }
}

/** Translate errors from body-parser, mongoose and friends into AppErrors. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as {
    type?: string;
    status?: number;
    code?: number;
    name?: string;
    message?: string;
  };
  if (e?.type === 'entity.parse.failed') return badRequest('Malformed JSON body');
  if (e?.type === 'entity.too.large')
    return new AppError('payload_too_large', 'Request body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError('unsupported_media_type', 'Unsupported body encoding');
  if (
    e?.name !== undefined &&
    [
      'MongoServerSelectionError',
      'MongoNetworkError',
      'MongoNetworkTimeoutError',
      'MongoNotConnectedError',
      'MongoTopologyClosedError',
    ].includes(e.name)
  )
    return new AppError('unavailable', 'A backing service is unavailable, try again shortly', {
      headers: { 'Retry-After': '5' },
    });
  if (isDuplicateKey(err)) return conflict('A resource with the same unique value already exists');
  if (e?.name === 'CastError') return badRequest('Invalid identifier');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return badRequest(e.message ?? 'Bad request');
  return new AppError('internal_error', 'Internal server error');
}

export function errorHandler(opts: { logger: Logger; exposeStack: boolean }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appErr = toAppError(err);
    const log = (req as { log?: Logger }).log ?? opts.logger;
    if (appErr.status >= 500) log.error({ err }, 'request failed');
    else log.debug({ code: appErr.code, msg: appErr.message }, 'request rejected');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(appErr.headers)) res.setHeader(k, v);
    const body: Record<string, unknown> = {
      ...appErr.extra,
      error: appErr.code,
      message: appErr.message,
    };
    if (appErr.details) body.details = appErr.details;
    if (opts.exposeStack && appErr.code === 'internal_error' && err instanceof Error)
      body.stack = err.stack;
    res.status(appErr.status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}`));
};

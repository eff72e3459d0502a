// The API's one error shape: { error, message, details: [{ path, message }] }.

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly retryAfter: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    details: ErrorDetail[] = [],
    retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

const FALLBACK: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'Please sign in again.',
  403: 'You do not have permission to do that.',
  404: 'Not found.',
  409: 'That conflicts with existing data.',
  413: 'That is too large.',
  415: 'That file type is not allowed.',
  429: 'Too many requests. Please wait a moment.',
  502: 'The server is not reachable. Check your connection and try again.',
  503: 'The service is temporarily unavailable.',
};

/** Builds an ApiError from a status and a parsed (or unparseable) JSON body. */
export function toApiError(
  status: number,
  body: unknown,
  retryAfter: string | null = null,
): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = typeof b.error === 'string' ? b.error : status >= 500 ? 'internal_error' : 'error';
  const details = Array.isArray(b.details)
    ? b.details
        .filter(
          (d): d is ErrorDetail =>
            typeof d === 'object' && d !== null && typeof (d as ErrorDetail).message === 'string',
        )
        .map((d) => ({ path: String(d.path ?? ''), message: d.message }))
    : [];
  const message =
    typeof b.message === 'string' && b.message
      ? b.message
      : (FALLBACK[status] ?? `Request failed (${status}).`);
  const seconds = retryAfter !== null ? Number.parseInt(retryAfter, 10) : Number.NaN;
  return new ApiError(status, code, message, details, Number.isFinite(seconds) ? seconds : null);
}

/** Field errors keyed by the body field (`body.title` → `title`), first message wins. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const d of err.details) {
    const key = d.path.replace(/^(body|query|params)\.?/, '') || '_';
    out[key] ??= d.message;
  }
  return out;
}

/** One human sentence for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'validation_error' && err.details.length > 0) {
      return err.details
        .map((d) => `${d.path.replace(/^(body|query|params)\.?/, '') || 'request'}: ${d.message}`)
        .join('; ');
    }
    if (err.status === 429 && err.retryAfter !== null) {
      return `${err.message} Try again in ${err.retryAfter} s.`;
    }
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}

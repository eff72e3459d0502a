// Errors of the Kubernetes API as client-node reports them: its ApiException carries the HTTP
// status as `code` (some watch and HTTP-layer errors as `statusCode`). The one place that reads
// it, so that a "not found" or a "conflict" means the same everywhere.

/** The HTTP status of a failed API request, or undefined for other errors (network, bugs). */
export function apiErrorCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

export const isNotFound = (err: unknown): boolean => apiErrorCode(err) === 404;
export const isConflict = (err: unknown): boolean => apiErrorCode(err) === 409;

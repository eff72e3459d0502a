'use client';
import { useCallback, useMemo, useState } from 'react';
import { ApiError, fieldErrors } from '@/lib/api-error.ts';

/**
 * Remembers the last failed action of a section and WHERE it happened (a key such as
 * `rename:<id>` or `add`), so the section shows the error beside the control that failed
 * instead of in a toast that may be out of sight or gone.
 */
export function useActionError() {
  const [failure, setFailure] = useState<{ at: string; error: unknown } | null>(null);
  const fail = useCallback((at: string, error: unknown) => setFailure({ at, error }), []);
  const clear = useCallback(
    (at?: string) => setFailure((f) => (at === undefined || f?.at === at ? null : f)),
    [],
  );
  return useMemo(
    () => ({
      fail,
      clear,
      /** The error of the action at `at`, or null. */
      errorAt: (at: string): unknown => (failure?.at === at ? failure.error : null),
      /** The API's 400 `details[].path` of that action, keyed by body field. */
      fieldsAt: (at: string): Record<string, string> =>
        failure?.at === at ? fieldErrors(failure.error) : {},
    }),
    [failure, fail, clear],
  );
}

/**
 * The message for one field: the API's detail for that field, or (for a conflict such as a
 * duplicate name, which has no details) the whole message when `conflictField` says a 409 is about it.
 */
export function messageFor(
  error: unknown,
  field: string,
  conflictField = false,
): string | undefined {
  const fields = fieldErrors(error);
  if (fields[field]) return fields[field];
  if (conflictField && error instanceof ApiError && error.status === 409) return error.message;
  return undefined;
}

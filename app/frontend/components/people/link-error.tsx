'use client';
import Link from 'next/link';
import { ApiError, describeError } from '@/lib/api-error.ts';

/**
 * Why a one-time link cannot be used: unknown (404), or used / revoked / expired (410, the API's
 * message says which and what to do).
 */
export function LinkError({ error, kind }: { error: unknown; kind: 'invitation' | 'reset' }) {
  const unknown = error instanceof ApiError && error.status === 404;
  const message = unknown
    ? kind === 'invitation'
      ? 'This invitation link is not valid. Check that you copied all of it.'
      : 'This reset link is not valid. Check that you copied all of it.'
    : describeError(error);
  return (
    <div className="stack">
      <p className="inline-error" role="alert" data-testid="link-error">
        {message}
      </p>
      <p className="auth-switch">
        {kind === 'reset' ? (
          <>
            <Link href="/forgot-password">Ask for a new link</Link> ·{' '}
          </>
        ) : null}
        <Link href="/sign-in">Sign in</Link>
      </p>
    </div>
  );
}

'use client';
import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { Button, Field, InlineError } from '../ui.tsx';
import { AuthCard } from './auth-card.tsx';

/**
 * "Forgot password": the API answers the same for any address (no account enumeration), so
 * this page does too.
 */
export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [emailEnabled, setEmailEnabled] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<{ emailEnabled?: boolean }>('/auth/config').then(
      (c) => setEmailEnabled(c.emailEnabled ?? null),
      () => setEmailEnabled(null),
    );
  }, []);

  const errors = fieldErrors(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ message: string }>('/auth/password/forgot', {
        email: email.trim(),
      });
      setSent(r.message);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Reset your password">
      {emailEnabled === false ? (
        <p className="notice">
          This instance does not send e-mail. Ask an administrator for a password-reset link.
        </p>
      ) : null}
      {sent ? (
        <p className="notice" role="status" data-testid="forgot-sent">
          {sent} Check your inbox; the link works once and expires soon.
        </p>
      ) : (
        <form onSubmit={submit} noValidate className="stack">
          <p className="muted small">
            Enter the e-mail address you sign in with. We will send you a link to choose a new
            password.
          </p>
          <Field label="Email" htmlFor="email" error={errors.email}>
            <input
              id="email"
              className="input"
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
              autoFocus
            />
          </Field>
          {Object.keys(errors).length === 0 ? <InlineError error={error} /> : null}
          <Button
            type="submit"
            variant="primary"
            loading={busy}
            disabled={!email.trim()}
            className="btn-block"
          >
            Send reset link
          </Button>
        </form>
      )}
      <p className="auth-switch">
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}

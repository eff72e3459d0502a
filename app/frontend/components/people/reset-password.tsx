'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { Button, Field, InlineError, Loading } from '../ui.tsx';
import { AuthCard } from './auth-card.tsx';
import { LinkError } from './link-error.tsx';

/** /reset-password/<token>: choose a new password (every other session ends), then sign in. */
export function ResetPassword({ token }: { token: string }) {
  const router = useRouter();
  const [email, setEmail] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .post<{ email: string }>('/auth/password/check', { token })
      .then((r) => setEmail(r.email), setLoadError);
  }, [token]);

  const errors = fieldErrors(error);
  const mismatch = confirm !== '' && confirm !== password;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!email || mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/password/reset', { token, password });
      await api.login(email, password);
      router.replace('/projects');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  if (loadError)
    return (
      <AuthCard title="Reset your password">
        <LinkError error={loadError} kind="reset" />
      </AuthCard>
    );
  if (!email)
    return (
      <AuthCard title="Reset your password">
        <Loading label="Checking your link…" />
      </AuthCard>
    );
  return (
    <AuthCard title="Choose a new password">
      <p className="muted">
        For <strong>{email}</strong>. Every other session of this account is signed out.
      </p>
      <form onSubmit={submit} noValidate className="stack">
        <Field
          label="New password"
          htmlFor="password"
          error={errors.password}
          hint="At least 8 characters."
        >
          <input
            id="password"
            className="input"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoFocus
          />
        </Field>
        <Field
          label="Repeat the new password"
          htmlFor="confirm"
          error={mismatch ? 'Passwords do not match' : undefined}
        >
          <input
            id="confirm"
            className="input"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            required
          />
        </Field>
        {Object.keys(errors).length === 0 ? <InlineError error={error} /> : null}
        <Button
          type="submit"
          variant="primary"
          loading={busy}
          disabled={password.length < 8 || confirm !== password}
          className="btn-block"
        >
          Set new password
        </Button>
      </form>
    </AuthCard>
  );
}

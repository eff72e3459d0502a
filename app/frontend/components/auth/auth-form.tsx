'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { safeNext } from '@/lib/refresh.ts';
import type { AuthConfig } from '@/lib/types.ts';
import { useSession } from '../session.tsx';
import { ThemeToggle } from '../theme.tsx';
import { Button, Field, InlineError } from '../ui.tsx';

export function AuthForm({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const router = useRouter();
  const params = useSearchParams();
  const { status } = useSession();
  const next = safeNext(params.get('next'));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [cfg, setCfg] = useState<AuthConfig | null>(null);

  useEffect(() => {
    api.get<AuthConfig>('/auth/config').then(setCfg, () => setCfg(null));
  }, []);
  useEffect(() => {
    if (status === 'authenticated') router.replace(next);
  }, [status, next, router]);

  const errors = fieldErrors(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'sign-in') await api.login(email.trim(), password);
      else await api.register(name.trim(), email.trim(), password);
      router.replace(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const registrationOff = mode === 'sign-up' && cfg !== null && !cfg.registrationEnabled;
  return (
    <main className="auth-page">
      <div className="auth-theme">
        <ThemeToggle compact />
      </div>
      <div className="auth-card">
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true">
            P
          </span>
          <span className="brand-name">PMS</span>
        </div>
        <h1>{mode === 'sign-in' ? 'Sign in to your workspace' : 'Create your account'}</h1>
        {params.get('expired') ? (
          <p className="notice" role="status">
            Your session expired. Please sign in again.
          </p>
        ) : null}
        {registrationOff ? (
          <p className="notice">
            Registration is disabled on this instance. Ask an administrator for an account.
          </p>
        ) : (
          <form onSubmit={submit} noValidate className="stack">
            {mode === 'sign-up' ? (
              <Field label="Name" htmlFor="name" error={errors.name}>
                <input
                  id="name"
                  className="input"
                  autoComplete="name"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  required
                />
              </Field>
            ) : null}
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
            <Field
              label="Password"
              htmlFor="password"
              error={errors.password}
              hint={mode === 'sign-up' ? 'At least 8 characters.' : undefined}
            >
              <input
                id="password"
                className="input"
                type="password"
                autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
              />
            </Field>
            {Object.keys(errors).length === 0 ? <InlineError error={error} /> : null}
            <Button type="submit" variant="primary" loading={busy} className="btn-block">
              {mode === 'sign-in' ? 'Sign in' : 'Create account'}
            </Button>
          </form>
        )}
        {mode === 'sign-in' ? (
          <p className="auth-switch">
            <Link href="/forgot-password">Forgot your password?</Link>
          </p>
        ) : null}
        <p className="auth-switch">
          {mode === 'sign-in' ? (
            cfg?.registrationEnabled ? (
              <>
                New here?{' '}
                <Link href={`/sign-up?next=${encodeURIComponent(next)}`}>Create an account</Link>
              </>
            ) : null
          ) : (
            <>
              Already have an account?{' '}
              <Link href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}

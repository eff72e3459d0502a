'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { formatDate } from '@/lib/format.ts';
import { Button, Field, InlineError, Loading } from '../ui.tsx';
import { AuthCard } from './auth-card.tsx';
import { LinkError } from './link-error.tsx';
import type { InvitationPreview } from './types.ts';

/** /invite/<token>: shows the invitation, then creates the account and signs the invitee in. */
export function AcceptInvite({ token }: { token: string }) {
  const router = useRouter();
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .post<InvitationPreview>('/auth/invitations/lookup', { token })
      .then(setPreview, setLoadError);
  }, [token]);

  const errors = fieldErrors(error);
  const mismatch = confirm !== '' && confirm !== password;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!preview || mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/invitations/accept', { token, name: name.trim(), password });
      await api.login(preview.email, password);
      router.replace('/projects');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  if (loadError)
    return (
      <AuthCard title="Invitation">
        <LinkError error={loadError} kind="invitation" />
      </AuthCard>
    );
  if (!preview)
    return (
      <AuthCard title="Invitation">
        <Loading label="Opening your invitation…" />
      </AuthCard>
    );
  return (
    <AuthCard title="Join your team on PMS">
      <p className="muted">
        <strong>{preview.invitedBy}</strong> invited <strong>{preview.email}</strong>
        {preview.role === 'admin' ? ' as an administrator' : ''}.
        {preview.projects.length ? ' You will join:' : ''}
      </p>
      {preview.projects.length ? (
        <ul className="rows" aria-label="Projects you will join">
          {preview.projects.map((p) => (
            <li key={p.key} className="settings-row">
              <span className="project-badge" aria-hidden="true">
                {p.key.slice(0, 2)}
              </span>
              <span className="grow">{p.name}</span>
              <span className={`role role-${p.role}`}>{p.role}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <form onSubmit={submit} noValidate className="stack">
        <Field label="Your name" htmlFor="name" error={errors.name}>
          <input
            id="name"
            className="input"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            autoFocus
          />
        </Field>
        <Field
          label="Choose a password"
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
          />
        </Field>
        <Field
          label="Repeat the password"
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
          disabled={!name.trim() || password.length < 8 || confirm !== password}
          className="btn-block"
        >
          Create my account
        </Button>
        <p className="muted small">The invitation expires {formatDate(preview.expiresAt)}.</p>
      </form>
    </AuthCard>
  );
}

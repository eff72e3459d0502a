'use client';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { formatDate, relativeTime } from '@/lib/format.ts';
import type { ApiToken, User } from '@/lib/types.ts';
import { useSession } from './session.tsx';
import { useToast } from './toast.tsx';
import { Button, ErrorState, Field, IconButton, InlineError, Skeleton } from './ui.tsx';
import { useResource } from './use-api.ts';

function Profile() {
  const { user } = useSession();
  const toast = useToast();
  const [name, setName] = useState(user?.name ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errors = fieldErrors(error);
  return (
    <section className="card settings-card" aria-labelledby="a-profile">
      <h2 id="a-profile">Profile</h2>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const u = await api.patch<User>('/auth/me', { name: name.trim() });
            api.setUser(u);
            toast('success', 'Profile updated');
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label="Name" htmlFor="profile-name" error={errors.name}>
          <input
            id="profile-name"
            className="input"
            value={name}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? 'profile-name-error' : undefined}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field label="Email" htmlFor="profile-email">
          <input id="profile-email" className="input" value={user?.email ?? ''} disabled />
        </Field>
        <InlineError error={error} shown={['name']} />
        <div>
          <Button type="submit" variant="primary" loading={busy}>
            Save profile
          </Button>
        </div>
      </form>
    </section>
  );
}

function Password() {
  const toast = useToast();
  const { user } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);
  const mismatch = confirm !== '' && confirm !== next;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/password', { currentPassword: current, newPassword: next });
      // The API revokes every refresh token of the user, this session's too: sign in again with
      // the new password so this tab keeps working while other devices are signed out.
      if (user) await api.login(user.email, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      toast('success', 'Password changed. Other sessions were signed out.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card settings-card" aria-labelledby="a-password">
      <h2 id="a-password">Password</h2>
      <form className="stack" onSubmit={submit} noValidate>
        <Field label="Current password" htmlFor="pw-current" error={errors.currentPassword}>
          <input
            id="pw-current"
            type="password"
            className="input"
            autoComplete="current-password"
            aria-invalid={errors.currentPassword ? true : undefined}
            aria-describedby={errors.currentPassword ? 'pw-current-error' : undefined}
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </Field>
        <Field
          label="New password"
          htmlFor="pw-new"
          error={errors.newPassword}
          hint="At least 8 characters."
        >
          <input
            id="pw-new"
            type="password"
            className="input"
            autoComplete="new-password"
            aria-invalid={errors.newPassword ? true : undefined}
            aria-describedby={errors.newPassword ? 'pw-new-error' : undefined}
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </Field>
        <Field
          label="Confirm new password"
          htmlFor="pw-confirm"
          error={mismatch ? 'Passwords do not match' : undefined}
        >
          <input
            id="pw-confirm"
            type="password"
            className="input"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        </Field>
        <InlineError error={error} shown={['currentPassword', 'newPassword']} />
        <div>
          <Button
            type="submit"
            variant="primary"
            loading={busy}
            disabled={!current || next.length < 8 || mismatch}
          >
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}

function Tokens() {
  const toast = useToast();
  const res = useResource('tokens', () => api.get<{ items: ApiToken[] }>('/tokens'));
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revokeError, setRevokeError] = useState<{ id: string; error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ token: string; apiToken: ApiToken }>('/tokens', {
        name: name.trim(),
        expiresInDays: days ? Number(days) : undefined,
      });
      setCreated(r.token);
      setName('');
      await res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (t: ApiToken) => {
    if (!window.confirm(`Revoke the token ${t.name}? Scripts using it stop working.`)) return;
    setRevokeError(null);
    try {
      await api.del(`/tokens/${t.id}`);
      await res.reload();
      toast('success', `Token ${t.name} revoked`);
    } catch (err) {
      setRevokeError({ id: t.id, error: err });
    }
  };
  return (
    <section className="card settings-card" aria-labelledby="a-tokens">
      <h2 id="a-tokens">API tokens</h2>
      <p className="muted small">
        Personal tokens act as you. Send them as <code>Authorization: Bearer pms_…</code>.
      </p>
      {created ? (
        <div className="notice notice-success" role="status">
          <p className="strong">Copy your new token now. It will not be shown again.</p>
          <div className="row">
            <code className="token-value" data-testid="new-token">
              {created}
            </code>
            <Button
              size="sm"
              onClick={() => {
                void navigator.clipboard?.writeText(created).then(() => toast('success', 'Copied'));
              }}
            >
              Copy
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </div>
      ) : null}
      {res.error ? <ErrorState error={res.error} onRetry={() => void res.reload()} /> : null}
      {!res.data && !res.error ? <Skeleton lines={2} /> : null}
      {res.data?.items.length === 0 ? <p className="muted">No tokens yet.</p> : null}
      <ul className="rows">
        {res.data?.items.map((t) => (
          <li key={t.id} className="settings-row settings-row-wrap">
            <div className="min0 grow">
              <div className="strong">{t.name}</div>
              <div className="muted small">
                <span className="mono">{t.prefix}…</span> · created {relativeTime(t.createdAt)} ·{' '}
                {t.lastUsedAt ? `last used ${relativeTime(t.lastUsedAt)}` : 'never used'}
                {t.expiresAt ? ` · expires ${formatDate(t.expiresAt)}` : ''}
              </div>
            </div>
            <IconButton icon="trash" label={`Revoke ${t.name}`} onClick={() => void revoke(t)} />
            {revokeError?.id === t.id ? (
              <div className="row-error">
                <InlineError error={revokeError.error} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={create}>
        <input
          className="input grow"
          placeholder="Token name, e.g. CI"
          aria-label="Token name"
          aria-invalid={fieldErrors(error).name ? true : undefined}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <select
          className="select"
          aria-label="Expires in"
          value={days}
          onChange={(e) => setDays(e.target.value)}
        >
          <option value="30">30 days</option>
          <option value="90">90 days</option>
          <option value="365">1 year</option>
          <option value="">Never</option>
        </select>
        <Button type="submit" icon="plus" loading={busy} disabled={!name.trim()}>
          Create token
        </Button>
      </form>
      <InlineError error={error} />
    </section>
  );
}

export function AccountPage() {
  return (
    <div className="page settings">
      <header className="page-head">
        <div>
          <h1>Account</h1>
          <p className="muted">Your profile, password and API tokens.</p>
        </div>
      </header>
      <Profile />
      <Password />
      <Tokens />
    </div>
  );
}

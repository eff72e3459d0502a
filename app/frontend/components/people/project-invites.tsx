'use client';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { formatDate } from '@/lib/format.ts';
import type { ProjectRole } from '@/lib/types.ts';
import { useProject } from '../project/project-context.tsx';
import { useToast } from '../toast.tsx';
import { Button, Field, InlineError } from '../ui.tsx';
import { useResource } from '../use-api.ts';
import { IssuedLink } from './issued-link.tsx';
import type { Invitation, IssuedInvitation } from './types.ts';

/**
 * Project settings, for project admins: invite someone without an account into this project
 * (project role only; the account gets the member instance role), and the pending invitations
 * sent from here.
 */
export function ProjectInvites() {
  const { project, can } = useProject();
  const toast = useToast();
  const base = `/projects/${encodeURIComponent(project.key)}/invitations`;
  const manage = can('admin');
  const list = useResource(manage ? `project-invitations:${project.key}` : null, () =>
    api.get<{ items: Invitation[] }>(base),
  );
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>('member');
  const [issued, setIssued] = useState<IssuedInvitation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<{ id: string; error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  if (!manage) return null;
  const errors = fieldErrors(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setIssued(await api.post<IssuedInvitation>(base, { email: email.trim(), role }));
      setEmail('');
      await list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  // A failed New link / Revoke is shown in that invitation's row.
  const act = async (id: string, fn: () => Promise<unknown>, ok: string) => {
    setRowError(null);
    try {
      await fn();
      toast('success', ok);
      await list.reload();
    } catch (err) {
      setRowError({ id, error: err });
    }
  };

  return (
    <section className="card settings-card" aria-labelledby="s-invite">
      <h2 id="s-invite">Invite by e-mail</h2>
      <p className="muted small">
        For colleagues without an account: they get a link to choose a password and join{' '}
        {project.name}.
      </p>
      {issued ? (
        <IssuedLink
          what="invitation"
          email={issued.invitation.email}
          emailed={issued.emailed}
          url={issued.acceptUrl}
          expiresAt={issued.invitation.expiresAt}
          onDone={() => setIssued(null)}
        />
      ) : null}
      <form className="row" style={{ alignItems: 'flex-end' }} onSubmit={submit} noValidate>
        <div className="grow">
          <Field label="E-mail address" htmlFor="project-invite-email" error={errors.email}>
            <input
              id="project-invite-email"
              className="input"
              type="email"
              autoComplete="off"
              aria-invalid={errors.email ? true : undefined}
              aria-describedby={errors.email ? 'project-invite-email-error' : undefined}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </Field>
        </div>
        <select
          className="select"
          aria-label="Role for the invited person"
          aria-invalid={errors.role ? true : undefined}
          value={role}
          onChange={(e) => setRole(e.target.value as ProjectRole)}
        >
          {(['viewer', 'member', 'admin', 'owner'] as const)
            .filter((r) => r !== 'owner' || can('owner'))
            .map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
        </select>
        <Button type="submit" icon="plus" loading={busy} disabled={!email.trim()}>
          Invite
        </Button>
      </form>
      <InlineError error={error} shown={['email']} />
      {list.data?.items.length ? (
        <ul className="rows" aria-label="Pending invitations">
          {list.data.items.map((i) => (
            <li key={i.id} className="settings-row settings-row-wrap">
              <div className="min0 grow">
                <div className="strong truncate">{i.email}</div>
                <div className="muted small">
                  {i.projects[0]?.role ?? 'member'} · expires {formatDate(i.expiresAt)}
                </div>
              </div>
              <Button
                size="sm"
                onClick={() =>
                  void act(
                    i.id,
                    async () =>
                      setIssued(await api.post<IssuedInvitation>(`${base}/${i.id}/renew`)),
                    `New link for ${i.email}`,
                  )
                }
              >
                New link
              </Button>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => {
                  if (window.confirm(`Withdraw the invitation of ${i.email}?`))
                    void act(i.id, () => api.del(`${base}/${i.id}`), 'Invitation withdrawn');
                }}
              >
                Revoke
              </Button>
              {rowError?.id === i.id ? (
                <div className="row-error">
                  <InlineError error={rowError.error} />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

'use client';
import { useState } from 'react';
import { describeError } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { formatDate, relativeTime } from '@/lib/format.ts';
import { useSession } from '../session.tsx';
import { useToast } from '../toast.tsx';
import { Avatar, Button, Dialog, EmptyState, ErrorState, Skeleton } from '../ui.tsx';
import { useResource } from '../use-api.ts';
import { InviteForm } from './invite-form.tsx';
import { IssuedLink } from './issued-link.tsx';
import type { Invitation, IssuedInvitation, Person, ResetLink } from './types.ts';

interface Issued {
  what: 'invitation' | 'reset';
  email: string;
  emailed: boolean;
  url?: string | undefined;
  expiresAt: string;
}

const fromInvitation = (r: IssuedInvitation): Issued => ({
  what: 'invitation',
  email: r.invitation.email,
  emailed: r.emailed,
  url: r.acceptUrl,
  expiresAt: r.invitation.expiresAt,
});

function Invitations({
  items,
  onChanged,
  onIssued,
}: {
  items: Invitation[];
  onChanged: () => Promise<void>;
  onIssued: (i: Issued) => void;
}) {
  const toast = useToast();
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      toast('success', ok);
      await onChanged();
    } catch (err) {
      toast('error', describeError(err));
    }
  };
  if (items.length === 0) return null;
  return (
    <section className="card settings-card" aria-labelledby="p-invitations">
      <h2 id="p-invitations">Pending invitations</h2>
      <ul className="rows">
        {items.map((i) => (
          <li key={i.id} className="settings-row" data-testid="invitation-row">
            <div className="min0 grow">
              <div className="strong truncate">{i.email}</div>
              <div className="muted small">
                {i.role === 'admin' ? 'Admin' : 'Member'}
                {i.projects.length
                  ? ` · ${i.projects.map((p) => `${p.name} (${p.role})`).join(', ')}`
                  : ''}{' '}
                · invited by {i.invitedBy.name} {relativeTime(i.createdAt)} · expires{' '}
                {formatDate(i.expiresAt)}
              </div>
            </div>
            <Button
              size="sm"
              onClick={() =>
                void act(async () => {
                  const r = await api.post<IssuedInvitation>(`/invitations/${i.id}/renew`);
                  onIssued(fromInvitation(r));
                }, `New link for ${i.email}`)
              }
            >
              New link
            </Button>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => {
                if (window.confirm(`Withdraw the invitation of ${i.email}?`))
                  void act(() => api.del(`/invitations/${i.id}`), 'Invitation withdrawn');
              }}
            >
              Revoke
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PersonRow({
  person,
  isMe,
  onChanged,
  onIssued,
}: {
  person: Person;
  isMe: boolean;
  onChanged: () => Promise<void>;
  onIssued: (i: Issued) => void;
}) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const act = async (fn: () => Promise<unknown>, ok?: string) => {
    setBusy(true);
    try {
      await fn();
      if (ok) toast('success', ok);
      await onChanged();
    } catch (err) {
      toast('error', describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const patch = (body: Record<string, unknown>, ok: string) =>
    act(() => api.patch(`/users/${person.id}`, body), ok);
  return (
    <tr data-testid="person-row">
      <td>
        <div className="row-inline">
          <Avatar id={person.id} name={person.name} size={28} />
          <div className="min0">
            <div className="strong truncate">
              {person.name} {isMe ? <span className="muted">(you)</span> : null}
            </div>
            <div className="muted small truncate">{person.email}</div>
          </div>
        </div>
      </td>
      <td>
        <select
          className="select select-sm"
          aria-label={`Role of ${person.name}`}
          value={person.role}
          disabled={busy}
          onChange={(e) =>
            void patch({ role: e.target.value }, `${person.name} is now ${e.target.value}`)
          }
        >
          <option value="member">Member</option>
          <option value="admin">Admin</option>
        </select>
      </td>
      <td>
        <span className={person.disabled ? 'tag' : 'role'}>
          {person.disabled ? 'Disabled' : 'Active'}
        </span>
      </td>
      <td className="hide-sm muted small">{formatDate(person.createdAt)}</td>
      <td>
        <div className="row-inline" style={{ justifyContent: 'flex-end' }}>
          {person.disabled ? null : (
            <Button
              size="sm"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  const r = await api.post<ResetLink>(`/users/${person.id}/password-reset`);
                  onIssued({
                    what: 'reset',
                    email: person.email,
                    emailed: r.emailed,
                    url: r.resetUrl,
                    expiresAt: r.expiresAt,
                  });
                })
              }
            >
              Reset link
            </Button>
          )}
          <Button
            size="sm"
            variant={person.disabled ? 'secondary' : 'danger'}
            disabled={busy}
            onClick={() => {
              if (person.disabled) void patch({ disabled: false }, `${person.name} enabled`);
              else if (
                window.confirm(
                  `Disable ${person.name}? They are signed out everywhere and cannot sign in until enabled again.`,
                )
              )
                void patch({ disabled: true }, `${person.name} disabled`);
            }}
          >
            {person.disabled ? 'Enable' : 'Disable'}
          </Button>
        </div>
      </td>
    </tr>
  );
}

/** Instance admins: everyone on the instance, pending invitations, and the invite form. */
export function PeoplePage() {
  const { user } = useSession();
  const [q, setQ] = useState('');
  const [inviting, setInviting] = useState(false);
  const [issued, setIssued] = useState<Issued | null>(null);
  const people = useResource(`people:${q}`, (signal) =>
    api.get<{ items: Person[] }>('/users', { q: q.trim() || undefined, limit: 100 }, signal),
  );
  const invitations = useResource('people-invitations', () =>
    api.get<{ items: Invitation[] }>('/invitations'),
  );
  const reloadAll = async () => {
    await Promise.all([people.reload(), invitations.reload()]);
  };

  if (user && user.role !== 'admin')
    return (
      <div className="page">
        <EmptyState
          icon="users"
          title="Administrators only"
          text="Ask an admin to invite people."
        />
      </div>
    );
  return (
    <div className="page settings">
      <header className="page-head">
        <div>
          <h1>People</h1>
          <p className="muted">Who can sign in to this instance, and what they may do.</p>
        </div>
        <Button variant="primary" icon="plus" onClick={() => setInviting(true)}>
          Invite people
        </Button>
      </header>
      {issued ? <IssuedLink {...issued} onDone={() => setIssued(null)} /> : null}
      {invitations.data ? (
        <Invitations
          items={invitations.data.items}
          onChanged={invitations.reload}
          onIssued={setIssued}
        />
      ) : null}
      <section className="card settings-card" aria-labelledby="p-users">
        <h2 id="p-users">Users</h2>
        <input
          className="input"
          type="search"
          placeholder="Search by name or e-mail"
          aria-label="Search people"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        {people.error ? (
          <ErrorState error={people.error} onRetry={() => void people.reload()} />
        ) : null}
        {!people.data && !people.error ? <Skeleton lines={4} /> : null}
        {people.data ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="hide-sm">
                    Since
                  </th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {people.data.items.map((p) => (
                  <PersonRow
                    key={`${p.id}-${p.role}-${p.disabled}`}
                    person={p}
                    isMe={p.id === user?.id}
                    onChanged={people.reload}
                    onIssued={setIssued}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {people.data?.items.length === 100 ? (
          <p className="muted small">Showing the first 100; search to narrow down.</p>
        ) : null}
      </section>
      <Dialog open={inviting} title="Invite people" onClose={() => setInviting(false)}>
        <InviteForm
          onIssued={(r) => {
            setInviting(false);
            setIssued(fromInvitation(r));
            void reloadAll();
          }}
        />
      </Dialog>
    </div>
  );
}

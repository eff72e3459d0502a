'use client';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import type { Project, ProjectRole } from '@/lib/types.ts';
import { Button, Field, InlineError } from '../ui.tsx';
import { useResource } from '../use-api.ts';
import type { IssuedInvitation } from './types.ts';

const PROJECT_ROLES: ProjectRole[] = ['viewer', 'member', 'admin', 'owner'];

/** An instance admin's invitation: e-mail, instance role, and projects to join with a role. */
export function InviteForm({ onIssued }: { onIssued: (r: IssuedInvitation) => void }) {
  const projects = useResource('people-projects', () => api.get<{ items: Project[] }>('/projects'));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const [chosen, setChosen] = useState<Record<string, ProjectRole>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);
  const projectError = Object.entries(errors).find(([k]) => k.startsWith('projects'))?.[1];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<IssuedInvitation>('/invitations', {
        email: email.trim(),
        role,
        projects: Object.entries(chosen).map(([projectId, r]) => ({ projectId, role: r })),
      });
      setEmail('');
      setChosen({});
      onIssued(r);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Invite someone">
      <Field label="E-mail address" htmlFor="invite-email" error={errors.email}>
        <input
          id="invite-email"
          className="input"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            setError(null);
          }}
          required
        />
      </Field>
      <Field
        label="Instance role"
        htmlFor="invite-role"
        error={errors.role}
        hint="Admins manage people and see every project."
      >
        <select
          id="invite-role"
          className="select"
          value={role}
          onChange={(e) => setRole(e.target.value as 'member' | 'admin')}
        >
          <option value="member">Member</option>
          <option value="admin">Admin</option>
        </select>
      </Field>
      <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="strong small">Projects to join (optional)</legend>
        {projects.data?.items.length === 0 ? <p className="muted small">No projects yet.</p> : null}
        <ul className="rows">
          {projects.data?.items
            .filter((p) => !p.archived)
            .map((p) => {
              const on = chosen[p.id] !== undefined;
              return (
                <li key={p.id} className="settings-row">
                  <label className="row-inline grow">
                    <input
                      type="checkbox"
                      checked={on}
                      onChange={(e) =>
                        setChosen((c) => {
                          const next = { ...c };
                          if (e.target.checked) next[p.id] = 'member';
                          else delete next[p.id];
                          return next;
                        })
                      }
                    />{' '}
                    <span className="project-badge" aria-hidden="true">
                      {p.key.slice(0, 2)}
                    </span>{' '}
                    {p.name}
                  </label>
                  <select
                    className="select select-sm"
                    aria-label={`Role in ${p.name}`}
                    disabled={!on}
                    value={chosen[p.id] ?? 'member'}
                    onChange={(e) =>
                      setChosen((c) => ({ ...c, [p.id]: e.target.value as ProjectRole }))
                    }
                  >
                    {PROJECT_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </li>
              );
            })}
        </ul>
        {projectError ? <p className="field-msg">{projectError}</p> : null}
      </fieldset>
      {Object.keys(errors).length === 0 ? <InlineError error={error} /> : null}
      <div>
        <Button type="submit" variant="primary" icon="plus" loading={busy} disabled={!email.trim()}>
          Send invitation
        </Button>
      </div>
    </form>
  );
}

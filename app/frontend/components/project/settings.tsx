'use client';
import { useState, type FormEvent } from 'react';
import { api } from '@/lib/client/api.ts';
import type { Label, Member, ProjectRole, State, StateCategory, User } from '@/lib/types.ts';
import { ProjectInvites } from '../people/project-invites.tsx';
import { useSession } from '../session.tsx';
import { useToast } from '../toast.tsx';
import {
  Avatar,
  Button,
  InlineError,
  IconButton,
  LabelChip,
  StateIcon,
  useReveal,
} from '../ui.tsx';
import { messageFor, useActionError } from '../use-action-error.ts';
import { useProject } from './project-context.tsx';
import { ProjectTransfer } from './transfer.tsx';
import { ProjectWebhooks } from './webhooks.tsx';

const ROLES: ProjectRole[] = ['owner', 'admin', 'member', 'viewer'];
const CATEGORIES: StateCategory[] = ['backlog', 'unstarted', 'started', 'completed', 'cancelled'];
const COLORS = [
  '#6366f1',
  '#0ea5e9',
  '#10b981',
  '#f59e0b',
  '#ef4444',
  '#ec4899',
  '#8b5cf6',
  '#64748b',
];

// Runs a section's actions; a failure is kept with the place it happened (`at`) and shown there,
// next to the control, by the section (successes still get a toast).
function useAction() {
  const toast = useToast();
  const { reload } = useProject();
  const [busy, setBusy] = useState(false);
  const errors = useActionError();
  const run = async (at: string, fn: () => Promise<unknown>, ok?: string) => {
    setBusy(true);
    errors.clear();
    try {
      await fn();
      if (ok) toast('success', ok);
      await reload();
      return true;
    } catch (err) {
      errors.fail(at, err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, run, ...errors };
}

function General() {
  const { project, can } = useProject();
  const { busy, run, errorAt, fieldsAt } = useAction();
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const editable = can('admin');
  const fields = fieldsAt('general');
  return (
    <section className="card settings-card" aria-labelledby="s-general">
      <h2 id="s-general">General</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            'general',
            () => api.patch(`/projects/${project.key}`, { name, description }),
            'Project updated',
          );
        }}
      >
        <label className={fields.name ? 'field field-error' : 'field'}>
          <span>Name</span>
          <input
            className="input"
            value={name}
            disabled={!editable}
            aria-invalid={fields.name ? true : undefined}
            onChange={(e) => setName(e.target.value)}
          />
          {fields.name ? <span className="field-msg">{fields.name}</span> : null}
        </label>
        <label className={fields.description ? 'field field-error' : 'field'}>
          <span>Description</span>
          <textarea
            className="input"
            rows={3}
            value={description}
            disabled={!editable}
            aria-invalid={fields.description ? true : undefined}
            onChange={(e) => setDescription(e.target.value)}
          />
          {fields.description ? <span className="field-msg">{fields.description}</span> : null}
        </label>
        <InlineError error={errorAt('general')} shown={['name', 'description']} />
        {editable ? (
          <div>
            <Button type="submit" variant="primary" loading={busy}>
              Save
            </Button>
          </div>
        ) : null}
      </form>
    </section>
  );
}

function Members() {
  const { project, members, can } = useProject();
  const { user } = useSession();
  const { busy, run, errorAt, fail, clear } = useAction();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<User[]>([]);
  const [role, setRole] = useState<ProjectRole>('member');
  const manage = can('admin');
  const search = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    try {
      const r = await api.get<{ items: User[] }>('/users', { q, limit: 10 });
      setFound(r.items.filter((u) => !members.some((m) => m.userId === u.id)));
    } catch (err) {
      setFound([]);
      fail('search', err);
    }
  };
  const rolesFor = (m: Member) =>
    can('owner') ? ROLES : ROLES.filter((r) => r !== 'owner' || m.role === 'owner');
  return (
    <section className="card settings-card" aria-labelledby="s-members">
      <h2 id="s-members">Members</h2>
      <ul className="rows">
        {members.map((m) => (
          <li key={m.userId} className="settings-row settings-row-wrap">
            <Avatar id={m.userId} name={m.name} size={28} />
            <div className="min0 grow">
              <div className="strong truncate">
                {m.name} {m.userId === user?.id ? <span className="muted">(you)</span> : null}
              </div>
              <div className="muted small truncate">{m.email}</div>
            </div>
            {manage && (m.role !== 'owner' || can('owner')) ? (
              <select
                className="select select-sm"
                aria-label={`Role of ${m.name}`}
                value={m.role}
                disabled={busy}
                onChange={(e) =>
                  void run(
                    `member:${m.userId}`,
                    () =>
                      api.patch(`/projects/${project.key}/members/${m.userId}`, {
                        role: e.target.value,
                      }),
                    `${m.name} is now ${e.target.value}`,
                  )
                }
              >
                {rolesFor(m).map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            ) : (
              <span className={`role role-${m.role}`}>{m.role}</span>
            )}
            {(manage && (m.role !== 'owner' || can('owner'))) || m.userId === user?.id ? (
              <IconButton
                icon="trash"
                label={m.userId === user?.id ? 'Leave project' : `Remove ${m.name}`}
                onClick={() => {
                  if (window.confirm(`Remove ${m.name} from ${project.name}?`))
                    void run(
                      `member:${m.userId}`,
                      () => api.del(`/projects/${project.key}/members/${m.userId}`),
                      `${m.name} removed`,
                    );
                }}
              />
            ) : null}
            <RowError error={errorAt(`member:${m.userId}`)} />
          </li>
        ))}
      </ul>
      {manage ? (
        <div className="stack">
          <form className="row" onSubmit={search}>
            <input
              className="input grow"
              placeholder="Find people by name or email"
              aria-label="Find people to add"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
            <select
              className="select"
              aria-label="Role for new members"
              value={role}
              onChange={(e) => setRole(e.target.value as ProjectRole)}
            >
              {ROLES.filter((r) => r !== 'owner' || can('owner')).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <Button type="submit">Search</Button>
          </form>
          <InlineError error={errorAt('search')} />
          {found.length > 0 ? (
            <ul className="rows">
              {found.map((u) => (
                <li key={u.id} className="settings-row settings-row-wrap">
                  <Avatar id={u.id} name={u.name} size={24} />
                  <div className="min0 grow">
                    <div className="strong truncate">{u.name}</div>
                    <div className="muted small truncate">{u.email}</div>
                  </div>
                  <Button
                    size="sm"
                    variant="primary"
                    icon="plus"
                    loading={busy}
                    onClick={async () => {
                      if (
                        await run(
                          `add:${u.id}`,
                          () =>
                            api.post(`/projects/${project.key}/members`, { userId: u.id, role }),
                          `${u.name} added as ${role}`,
                        )
                      )
                        setFound((f) => f.filter((x) => x.id !== u.id));
                    }}
                  >
                    Add {u.name}
                  </Button>
                  <RowError error={errorAt(`add:${u.id}`)} />
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function StateRow({
  state,
  index,
  count,
  editable,
}: {
  state: State;
  index: number;
  count: number;
  editable: boolean;
}) {
  const { project } = useProject();
  const { busy, run, errorAt } = useAction();
  const [name, setName] = useState(state.name);
  const path = `/projects/${project.key}/states/${state.id}`;
  // A refused name stays in the field, marked, to be corrected.
  const nameError = messageFor(errorAt('rename'), 'name', true);
  return (
    <li className="settings-row settings-row-wrap">
      <StateIcon category={state.category} color={state.color} />
      {editable ? (
        <input
          className="input input-ghost grow"
          aria-label={`Name of state ${state.name}`}
          aria-invalid={nameError ? true : undefined}
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => {
            if (name.trim() && name !== state.name)
              void run('rename', () => api.patch(path, { name: name.trim() }), 'State renamed');
          }}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
      ) : (
        <span className="grow">{state.name}</span>
      )}
      <span className="muted small hide-xs">{state.category}</span>
      {editable ? (
        <>
          <IconButton
            icon="arrowUp"
            label={`Move ${state.name} up`}
            disabled={index === 0 || busy}
            onClick={() => void run('move', () => api.patch(path, { position: index - 1 }))}
          />
          <IconButton
            icon="arrowDown"
            label={`Move ${state.name} down`}
            disabled={index === count - 1 || busy}
            onClick={() => void run('move', () => api.patch(path, { position: index + 1 }))}
          />
          <IconButton
            icon="trash"
            label={`Delete ${state.name}`}
            onClick={() => {
              if (window.confirm(`Delete the state ${state.name}? It must be empty.`))
                void run('delete', () => api.del(path), 'State deleted');
            }}
          />
        </>
      ) : null}
      <RowError error={errorAt('rename') ?? errorAt('move') ?? errorAt('delete')} />
    </li>
  );
}

function States() {
  const { project, states, can } = useProject();
  const { busy, run, errorAt, fieldsAt } = useAction();
  const [name, setName] = useState('');
  const [category, setCategory] = useState<StateCategory>('unstarted');
  const addError = errorAt('add');
  const nameError = messageFor(addError, 'name', true);
  const fields = fieldsAt('add');
  const editable = can('admin');
  const sorted = [...states].sort((a, b) => a.position - b.position);
  return (
    <section className="card settings-card" aria-labelledby="s-states">
      <h2 id="s-states">Workflow states</h2>
      <p className="muted small">The board shows one column per state, in this order.</p>
      <ol className="rows">
        {sorted.map((s, i) => (
          <StateRow
            key={`${s.id}-${s.name}-${s.position}`}
            state={s}
            index={i}
            count={sorted.length}
            editable={editable}
          />
        ))}
      </ol>
      {editable ? (
        <form
          className="row"
          onSubmit={async (e) => {
            e.preventDefault();
            if (
              await run(
                'add',
                () => api.post(`/projects/${project.key}/states`, { name: name.trim(), category }),
                'State added',
              )
            )
              setName('');
          }}
        >
          <input
            className="input grow"
            placeholder="New state name"
            aria-label="New state name"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'new-state-error' : undefined}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <select
            className="select"
            aria-label="Category"
            aria-invalid={fields.category ? true : undefined}
            value={category}
            onChange={(e) => setCategory(e.target.value as StateCategory)}
          >
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <Button type="submit" icon="plus" loading={busy} disabled={!name.trim()}>
            Add state
          </Button>
          <FormError error={addError} field={nameError ?? fields.category} id="new-state-error" />
        </form>
      ) : null}
    </section>
  );
}

function LabelRow({ label, editable }: { label: Label; editable: boolean }) {
  const { project } = useProject();
  const { run, errorAt } = useAction();
  const [name, setName] = useState(label.name);
  const path = `/projects/${project.key}/labels/${label.id}`;
  // A refused name (a duplicate: 409) stays in the field, marked, to be corrected.
  const nameError = messageFor(errorAt('rename'), 'name', true);
  return (
    <li className="settings-row settings-row-wrap">
      {editable ? (
        <>
          <input
            type="color"
            className="color-input"
            aria-label={`Color of ${label.name}`}
            defaultValue={label.color}
            onBlur={(e) =>
              e.target.value !== label.color &&
              void run('color', () => api.patch(path, { color: e.target.value }))
            }
          />
          <input
            className="input input-ghost grow"
            aria-label={`Name of label ${label.name}`}
            aria-invalid={nameError ? true : undefined}
            value={name}
            onChange={(e) => setName(e.target.value)}
            onBlur={() =>
              name.trim() &&
              name !== label.name &&
              void run('rename', () => api.patch(path, { name: name.trim() }), 'Label renamed')
            }
            onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          />
          <IconButton
            icon="trash"
            label={`Delete label ${label.name}`}
            onClick={() =>
              window.confirm(`Delete the label ${label.name}?`) &&
              void run('delete', () => api.del(path), 'Label deleted')
            }
          />
        </>
      ) : (
        <LabelChip name={label.name} color={label.color} />
      )}
      <RowError error={errorAt('rename') ?? errorAt('color') ?? errorAt('delete')} />
    </li>
  );
}

function Labels() {
  const { project, labels, can } = useProject();
  const { busy, run, errorAt } = useAction();
  const [name, setName] = useState('');
  const editable = can('member');
  const addError = errorAt('add');
  const nameError = messageFor(addError, 'name', true);
  return (
    <section className="card settings-card" aria-labelledby="s-labels">
      <h2 id="s-labels">Labels</h2>
      {labels.length === 0 ? <p className="muted">No labels yet.</p> : null}
      <ul className="rows">
        {labels.map((l) => (
          <LabelRow key={`${l.id}-${l.name}-${l.color}`} label={l} editable={editable} />
        ))}
      </ul>
      {editable ? (
        <form
          className="row"
          onSubmit={async (e) => {
            e.preventDefault();
            const color = COLORS[labels.length % COLORS.length];
            if (
              await run(
                'add',
                () => api.post(`/projects/${project.key}/labels`, { name: name.trim(), color }),
                'Label added',
              )
            )
              setName('');
          }}
        >
          <input
            className="input grow"
            placeholder="New label"
            aria-label="New label name"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'new-label-error' : undefined}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <Button type="submit" icon="plus" loading={busy} disabled={!name.trim()}>
            Add label
          </Button>
          <FormError error={addError} field={nameError} id="new-label-error" />
        </form>
      ) : null}
    </section>
  );
}

/** An action's error under its row (full width: the row wraps). */
function RowError({ error }: { error: unknown }) {
  return error ? (
    <div className="row-error">
      <InlineError error={error} />
    </div>
  ) : null;
}

/** Under a one-line form: the field's own message when there is one, else the whole error. */
function FormError({ error, field, id }: { error: unknown; field?: string; id: string }) {
  const ref = useReveal<HTMLParagraphElement>(field);
  if (!error) return null;
  return (
    <div className="row-error">
      {field ? (
        <p className="field-msg" role="alert" id={id} ref={ref}>
          {field}
        </p>
      ) : (
        <InlineError error={error} id={id} />
      )}
    </div>
  );
}

export function ProjectSettings() {
  return (
    <div className="page settings">
      <General />
      <Members />
      <ProjectInvites />
      <States />
      <Labels />
      <ProjectWebhooks />
      <ProjectTransfer />
    </div>
  );
}

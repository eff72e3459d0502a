'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { relativeTime } from '@/lib/format.ts';
import { atLeast, type Project } from '@/lib/types.ts';
import { useToast } from '../toast.tsx';
import { Button, Dialog, EmptyState, ErrorState, Field, InlineError, Skeleton } from '../ui.tsx';
import { useResource } from '../use-api.ts';

/** Suggests a project key from its name: initials of the words, or the first letters. */
export function suggestKey(name: string): string {
  const words = name
    .toUpperCase()
    .replace(/[^A-Z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const raw = words.length > 1 ? words.map((w) => w[0]).join('') : (words[0] ?? '').slice(0, 4);
  const key = raw.replace(/^[0-9]+/, '').slice(0, 10);
  return key.length >= 2 ? key : '';
}

function CreateProject({ open, onClose }: { open: boolean; onClose: () => void }) {
  const router = useRouter();
  const toast = useToast();
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [keyTouched, setKeyTouched] = useState(false);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const p = await api.post<Project>('/projects', { name: name.trim(), key, description });
      window.dispatchEvent(new Event('pms:projects'));
      toast('success', `Project ${p.key} created`);
      onClose();
      router.push(`/projects/${p.key}/board`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} title="New project" onClose={onClose}>
      <form onSubmit={submit} className="stack" noValidate>
        <Field label="Name" htmlFor="project-name" error={errors.name}>
          <input
            id="project-name"
            className="input"
            value={name}
            autoFocus
            placeholder="Website relaunch"
            onChange={(e) => {
              setName(e.target.value);
              if (!keyTouched) setKey(suggestKey(e.target.value));
            }}
          />
        </Field>
        <Field
          label="Key"
          htmlFor="project-key"
          error={errors.key}
          hint="2–10 letters or digits, starting with a letter. Tasks are numbered KEY-1, KEY-2…"
        >
          <input
            id="project-key"
            className="input input-mono"
            value={key}
            maxLength={10}
            placeholder="WEB"
            onChange={(e) => {
              setKeyTouched(true);
              setKey(e.target.value.toUpperCase().replace(/[^A-Z0-9]/g, ''));
            }}
          />
        </Field>
        <Field label="Description" htmlFor="project-description" error={errors.description}>
          <textarea
            id="project-description"
            className="input"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        {Object.keys(errors).length === 0 ? <InlineError error={error} /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            loading={busy}
            disabled={!name.trim() || key.length < 2}
          >
            Create project
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function ProjectsPage() {
  const [archived, setArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const toast = useToast();
  const projects = useResource(`projects-${archived}`, () =>
    api.get<{ items: Project[] }>('/projects', { archived: String(archived) }),
  );

  const setArchivedFlag = async (p: Project, value: boolean) => {
    try {
      await api.patch(`/projects/${p.key}`, { archived: value });
      toast('success', value ? `${p.name} archived` : `${p.name} restored`);
      window.dispatchEvent(new Event('pms:projects'));
      await projects.reload();
    } catch (err) {
      toast('error', err instanceof Error ? err.message : 'Could not update the project');
    }
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Projects</h1>
          <p className="muted">Everything your team is working on.</p>
        </div>
        <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
          New project
        </Button>
      </header>
      <div className="tabs" role="tablist" aria-label="Project status">
        <button
          type="button"
          role="tab"
          aria-selected={!archived}
          className="tab"
          onClick={() => setArchived(false)}
        >
          Active
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={archived}
          className="tab"
          onClick={() => setArchived(true)}
        >
          Archived
        </button>
      </div>
      {projects.error ? (
        <ErrorState error={projects.error} onRetry={() => void projects.reload()} />
      ) : !projects.data ? (
        <div className="project-grid">
          {[0, 1, 2].map((i) => (
            <div key={i} className="card project-card">
              <Skeleton lines={3} />
            </div>
          ))}
        </div>
      ) : projects.data.items.length === 0 ? (
        archived ? (
          <EmptyState
            icon="archive"
            title="No archived projects"
            text="Archived projects show up here."
          />
        ) : (
          <EmptyState
            title="No projects yet"
            text="Create a project to start planning work with your team."
            action={
              <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
                Create your first project
              </Button>
            }
          />
        )
      ) : (
        <ul className="project-grid" aria-label={archived ? 'Archived projects' : 'Projects'}>
          {projects.data.items.map((p) => (
            <li key={p.id} className="card project-card">
              <div className="project-card-head">
                <span className="project-badge project-badge-lg" aria-hidden="true">
                  {p.key.slice(0, 2)}
                </span>
                <div className="min0">
                  <Link href={`/projects/${p.key}/board`} className="project-link stretched">
                    {p.name}
                  </Link>
                  <div className="muted small mono">{p.key}</div>
                </div>
                <span className={`role role-${p.role}`}>{p.role}</span>
              </div>
              <p className="project-desc">
                {p.description || <span className="muted">No description</span>}
              </p>
              <div className="project-card-foot">
                <span className="muted small">Updated {relativeTime(p.updatedAt)}</span>
                {atLeast(p.role, 'owner') ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="archive"
                    className="raise"
                    onClick={() => void setArchivedFlag(p, !archived)}
                    aria-label={archived ? `Restore ${p.name}` : `Archive ${p.name}`}
                  >
                    {archived ? 'Restore' : 'Archive'}
                  </Button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      <CreateProject open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}

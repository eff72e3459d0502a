'use client';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { describeError } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import type { Page, Task } from '@/lib/types.ts';
import { useProject } from '../project/project-context.tsx';
import { useToast } from '../toast.tsx';
import { Icon } from '../icons.tsx';
import { ErrorState, PriorityIcon, Skeleton, StateIcon } from '../ui.tsx';
import { useResource } from '../use-api.ts';

export function SubTasks({
  task,
  editable,
  onChanged,
}: {
  task: Task;
  editable: boolean;
  onChanged?: () => void;
}) {
  const { project, states } = useProject();
  const toast = useToast();
  const subs = useResource(`subs-${task.id}`, () =>
    api.get<Page<Task>>(`/projects/${project.key}/tasks`, {
      parent: task.id,
      sort: 'number',
      limit: 100,
    }),
  );
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return;
    setBusy(true);
    try {
      await api.post<Task>(`/projects/${project.key}/tasks`, {
        title: title.trim(),
        parentId: task.id,
      });
      setTitle('');
      await subs.reload();
      onChanged?.();
    } catch (err) {
      toast('error', describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const items = subs.data?.items ?? [];
  const done = items.filter((t) => {
    const c = states.find((s) => s.id === t.stateId)?.category;
    return c === 'completed' || c === 'cancelled';
  }).length;
  return (
    <section className="section" aria-labelledby={`subs-${task.id}`}>
      <div className="section-head">
        <h2 id={`subs-${task.id}`}>
          Sub-tasks{' '}
          {items.length ? (
            <span className="muted">
              {done}/{items.length}
            </span>
          ) : null}
        </h2>
      </div>
      {subs.error ? <ErrorState error={subs.error} onRetry={() => void subs.reload()} /> : null}
      {!subs.data && !subs.error ? <Skeleton lines={1} /> : null}
      {items.length > 0 ? (
        <ul className="sub-list">
          {items.map((t) => {
            const s = states.find((x) => x.id === t.stateId);
            return (
              <li key={t.id}>
                <Link href={`/projects/${project.key}/tasks/${t.number}`} className="sub-item">
                  {s ? <StateIcon category={s.category} color={s.color} /> : null}
                  <span className="task-key">{t.key}</span>
                  <span className="truncate">{t.title}</span>
                  <PriorityIcon priority={t.priority} />
                </Link>
              </li>
            );
          })}
        </ul>
      ) : subs.data && !editable ? (
        <p className="muted">No sub-tasks.</p>
      ) : null}
      {editable ? (
        <form onSubmit={add} className="inline-form">
          <Icon name="subtask" />
          <input
            className="input input-ghost"
            placeholder="Add a sub-task…"
            aria-label="New sub-task title"
            value={title}
            disabled={busy}
            onChange={(e) => setTitle(e.target.value)}
          />
        </form>
      ) : null}
    </section>
  );
}

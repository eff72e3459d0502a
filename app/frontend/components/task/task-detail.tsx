'use client';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, describeError, fieldErrors } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { PRIORITIES } from '@/lib/filters.ts';
import { dateInputValue, formatDate, relativeTime } from '@/lib/format.ts';
import type { Priority, Task } from '@/lib/types.ts';
import { Icon } from '../icons.tsx';
import { useLiveTask } from '../live/use-live-task.ts';
import { Markdown } from '../markdown.tsx';
import { useProject } from '../project/project-context.tsx';
import { useToast } from '../toast.tsx';
import {
  Avatar,
  Button,
  EmptyState,
  ErrorState,
  LabelChip,
  Loading,
  PRIORITY_LABEL,
  PriorityIcon,
  StateIcon,
} from '../ui.tsx';
import { useResource } from '../use-api.ts';
import { ActivityList } from './activity.tsx';
import { Attachments } from './attachments.tsx';
import { Comments } from './comments.tsx';
import { SubTasks } from './subtasks.tsx';

/**
 * Estimate field: keeps what the user is typing even when the task re-renders from another
 * save, and follows the saved value while it does not have focus.
 */
function EstimateInput({
  value,
  onSave,
}: {
  value: number | null;
  onSave: (v: number | null) => void;
}) {
  const [text, setText] = useState(value == null ? '' : String(value));
  const focused = useRef(false);
  useEffect(() => {
    if (!focused.current) setText(value == null ? '' : String(value));
  }, [value]);
  return (
    <input
      type="number"
      min={0}
      step="any"
      className="input"
      aria-label="Estimate (points)"
      value={text}
      onFocus={() => {
        focused.current = true;
      }}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => {
        focused.current = false;
        const v = text.trim() === '' ? null : Number(text);
        if (v !== value && (v === null || (Number.isFinite(v) && v >= 0))) onSave(v);
      }}
      onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
    />
  );
}

function Prop({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="prop">
      <div className="prop-label">{label}</div>
      <div className="prop-value">{children}</div>
    </div>
  );
}

export function TaskDetail({
  taskRef,
  onChanged,
  onDeleted,
}: {
  taskRef: string;
  onChanged?: () => void;
  onDeleted?: () => void;
}) {
  const { project, states, labels, members, can, memberName } = useProject();
  const toast = useToast();
  const base = `/projects/${project.key}/tasks/${encodeURIComponent(taskRef)}`;
  const res = useResource(`task-${project.key}-${taskRef}`, () => api.get<Task>(base));
  const [editingDesc, setEditingDesc] = useState(false);
  const [desc, setDesc] = useState('');
  const [title, setTitle] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [activityKey, setActivityKey] = useState(0);
  // Someone else changed this task: show it (fields and the activity list).
  useLiveTask(res.data?.id, () => {
    void res.reload();
    setActivityKey((k) => k + 1);
  });
  // A rejected edit is reported at the top of the panel (sticky, so it is in view wherever the
  // user scrolled to), naming the field; toasts sit under the modal panel, out of sight.
  const [editError, setEditError] = useState<{ message: string; fields: string[] } | null>(null);
  // Edits are sent one after another, so answers cannot arrive out of order and overwrite a
  // newer value with an older one (e.g. a date picked while an estimate is still saving).
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  // The newest version of the task this panel has seen: queued edits run after earlier ones
  // answered, before React re-renders, so they read the version here rather than from `task`.
  const latest = useRef<Task | undefined>(undefined);
  if (
    res.data &&
    (!latest.current ||
      latest.current.id !== res.data.id ||
      res.data.version >= latest.current.version)
  )
    latest.current = res.data;
  const editable = can('member') && !project.archived;

  if (res.error instanceof ApiError && res.error.status === 404) {
    return <EmptyState title="Task not found" text="It may have been deleted." />;
  }
  if (res.error && !res.data)
    return <ErrorState error={res.error} onRetry={() => void res.reload()} />;
  const task = res.data;
  if (!task) return <Loading label="Loading task…" />;

  type Patch = Partial<
    Pick<Task, 'title' | 'description' | 'stateId' | 'priority' | 'dueDate' | 'estimate'>
  >;
  const taskPath = `/projects/${project.key}/tasks/${task.number}`;

  /** Runs one write after the previous ones answered (see `queue`). */
  const enqueue = (write: () => Promise<Task>): Promise<boolean> => {
    const run = queue.current.then(() => send(write));
    queue.current = run.catch(() => undefined);
    return run;
  };

  // Field edits carry If-Match: an edit based on a version someone else has since changed is
  // refused (412) instead of silently overwriting their change.
  const update = (patch: Patch) =>
    enqueue(() =>
      api.patch<Task>(taskPath, patch, {
        'if-match': `"${latest.current?.version ?? task.version}"`,
      }),
    );

  // Assignees and labels are added/removed one at a time on the server ($addToSet/$pull), so
  // two people toggling different entries both keep theirs; no If-Match needed.
  const toggleIn = (field: 'assigneeIds' | 'labelIds', id: string) => {
    const segment = field === 'assigneeIds' ? 'assignees' : 'labels';
    // Decided when the write runs, from the newest answer: two quick clicks on one entry are
    // add then remove, even though the first answer had not re-rendered the box yet.
    return enqueue(() =>
      (latest.current ?? task)[field].includes(id)
        ? api.delJson<Task>(`${taskPath}/${segment}/${id}`)
        : api.post<Task>(
            `${taskPath}/${segment}`,
            field === 'assigneeIds' ? { userId: id } : { labelId: id },
          ),
    );
  };

  const send = async (write: () => Promise<Task>) => {
    setSaving(true);
    try {
      const updated = await write();
      latest.current = updated;
      setEditError(null);
      res.setData(updated);
      setActivityKey((k) => k + 1);
      onChanged?.();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        await res.reload();
        setEditError({
          message:
            'Someone else changed this task meanwhile. It has been reloaded: check it and apply your change again.',
          fields: [],
        });
      } else setEditError({ message: describeError(err), fields: Object.keys(fieldErrors(err)) });
      return false;
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!window.confirm(`Delete ${task.key}? Its comments and attachments are deleted too.`))
      return;
    try {
      await api.del(`/projects/${project.key}/tasks/${task.number}`);
      toast('success', `${task.key} deleted`);
      onDeleted?.();
    } catch (err) {
      toast('error', describeError(err));
    }
  };

  const state = states.find((s) => s.id === task.stateId);
  const id = (s: string) => `task-${task.id}-${s}`;

  const invalid = (field: string) => editError?.fields.includes(field) || undefined;

  return (
    <>
      {editError ? (
        <div className="task-alert" role="alert">
          <Icon name="alert" size={14} />
          <span className="task-alert-text">Not saved: {editError.message}</span>
          <button
            type="button"
            className="link-btn"
            aria-label="Dismiss"
            onClick={() => setEditError(null)}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      <article className="task-detail" aria-busy={saving || undefined}>
        <header className="task-header">
          <div className="task-crumbs">
            <span className="task-key">{task.key}</span>
            {saving ? <span className="muted small">Saving…</span> : null}
          </div>
          {editable ? (
            <textarea
              className="title-input"
              aria-label="Title"
              rows={1}
              value={title ?? task.title}
              maxLength={300}
              onChange={(e) => setTitle(e.target.value.replace(/\n/g, ''))}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  (e.target as HTMLTextAreaElement).blur();
                }
                if (e.key === 'Escape') setTitle(null);
              }}
              aria-invalid={invalid('title')}
              onBlur={async () => {
                // A refused title stays in the field (with the message above) to be corrected.
                if (title !== null && title.trim() && title.trim() !== task.title)
                  if (!(await update({ title: title.trim() }))) return;
                setTitle(null);
              }}
            />
          ) : (
            <h1 className="task-title">{task.title}</h1>
          )}
        </header>
        <div className="task-main">
          <section className="section" aria-labelledby={id('desc')}>
            <div className="section-head">
              <h2 id={id('desc')}>Description</h2>
              {editable && !editingDesc ? (
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => {
                    setDesc(task.description);
                    setEditingDesc(true);
                  }}
                >
                  Edit
                </Button>
              ) : null}
            </div>
            {editingDesc ? (
              <div className="stack">
                <textarea
                  className="input"
                  rows={8}
                  aria-label="Description (markdown)"
                  aria-invalid={invalid('description')}
                  value={desc}
                  autoFocus
                  onChange={(e) => setDesc(e.target.value)}
                />
                <div className="row">
                  <Button
                    variant="primary"
                    size="sm"
                    loading={saving}
                    onClick={async () => {
                      if (await update({ description: desc })) setEditingDesc(false);
                    }}
                  >
                    Save
                  </Button>
                  <Button size="sm" onClick={() => setEditingDesc(false)}>
                    Cancel
                  </Button>
                  <span className="muted small">Markdown supported</span>
                </div>
              </div>
            ) : task.description ? (
              <Markdown source={task.description} />
            ) : (
              <p className="muted">No description.</p>
            )}
          </section>

          <SubTasks task={task} editable={editable} onChanged={onChanged} />
          <Attachments
            task={task}
            editable={editable}
            onChanged={() => setActivityKey((k) => k + 1)}
          />
          <Comments task={task} editable={editable} />
          <ActivityList task={task} refreshKey={activityKey} />
        </div>

        <aside className="task-side" aria-label="Properties">
          <Prop label="State">
            {editable ? (
              <select
                className="select"
                aria-label="State"
                value={task.stateId}
                onChange={(e) => void update({ stateId: e.target.value })}
              >
                {states.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            ) : state ? (
              <span className="row-inline">
                <StateIcon category={state.category} color={state.color} /> {state.name}
              </span>
            ) : null}
          </Prop>
          <Prop label="Priority">
            {editable ? (
              <select
                className="select"
                aria-label="Priority"
                value={task.priority}
                onChange={(e) => void update({ priority: e.target.value as Priority })}
              >
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {PRIORITY_LABEL[p]}
                  </option>
                ))}
              </select>
            ) : (
              <span className="row-inline">
                <PriorityIcon priority={task.priority} /> {PRIORITY_LABEL[task.priority]}
              </span>
            )}
          </Prop>
          <Prop label="Assignees">
            <div className="chips">
              {task.assigneeIds.length === 0 ? <span className="muted">Unassigned</span> : null}
              {task.assigneeIds.map((uid) => (
                <span key={uid} className="person">
                  <Avatar id={uid} name={memberName(uid)} size={20} /> {memberName(uid)}
                </span>
              ))}
            </div>
            {editable ? (
              <details className="menu">
                <summary className="link-btn">Edit assignees</summary>
                <div className="menu-pop" role="group" aria-label="Assignees">
                  {members.map((m) => (
                    <label key={m.userId} className="menu-item">
                      <input
                        type="checkbox"
                        checked={task.assigneeIds.includes(m.userId)}
                        onChange={() => void toggleIn('assigneeIds', m.userId)}
                      />
                      <Avatar id={m.userId} name={m.name} size={18} /> {m.name}
                    </label>
                  ))}
                </div>
              </details>
            ) : null}
          </Prop>
          <Prop label="Labels">
            <div className="chips">
              {task.labelIds.length === 0 ? <span className="muted">None</span> : null}
              {task.labelIds.map((lid) => {
                const l = labels.find((x) => x.id === lid);
                return l ? <LabelChip key={lid} name={l.name} color={l.color} /> : null;
              })}
            </div>
            {editable ? (
              <details className="menu">
                <summary className="link-btn">Edit labels</summary>
                <div className="menu-pop" role="group" aria-label="Labels">
                  {labels.length === 0 ? (
                    <p className="menu-empty">Create labels in project settings.</p>
                  ) : null}
                  {labels.map((l) => (
                    <label key={l.id} className="menu-item">
                      <input
                        type="checkbox"
                        checked={task.labelIds.includes(l.id)}
                        onChange={() => void toggleIn('labelIds', l.id)}
                      />
                      <LabelChip name={l.name} color={l.color} />
                    </label>
                  ))}
                </div>
              </details>
            ) : null}
          </Prop>
          <Prop label="Due date">
            {editable ? (
              <input
                type="date"
                className="input"
                aria-label="Due date"
                value={dateInputValue(task.dueDate)}
                onChange={(e) => void update({ dueDate: e.target.value || null })}
              />
            ) : (
              <span>
                {task.dueDate ? formatDate(task.dueDate) : <span className="muted">None</span>}
              </span>
            )}
          </Prop>
          <Prop label="Estimate">
            {editable ? (
              <EstimateInput value={task.estimate} onSave={(v) => void update({ estimate: v })} />
            ) : (
              <span>
                {task.estimate != null ? (
                  `${task.estimate} pt`
                ) : (
                  <span className="muted">None</span>
                )}
              </span>
            )}
          </Prop>
          <div className="task-meta muted small">
            <div>
              Created {relativeTime(task.createdAt)} by {memberName(task.createdBy)}
            </div>
            <div>Updated {relativeTime(task.updatedAt)}</div>
          </div>
          {editable ? (
            <Button variant="danger" size="sm" icon="trash" onClick={() => void remove()}>
              Delete task
            </Button>
          ) : null}
          {!editable ? (
            <p className="muted small">
              <Icon name="key" size={12} /> You have view-only access.
            </p>
          ) : null}
        </aside>
      </article>
    </>
  );
}

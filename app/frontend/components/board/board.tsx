'use client';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import { describeError } from '@/lib/api-error.ts';
import {
  applyMove,
  directionForKey,
  dropTarget,
  isNoop,
  keyboardTarget,
  sortByRank,
  type BoardColumn,
  type MoveTarget,
} from '@/lib/board.ts';
import { api } from '@/lib/client/api.ts';
import { hasActiveFilters, matchesFilters } from '@/lib/filters.ts';
import { touchesTasks } from '@/lib/live.ts';
import { dueStatus, formatDate } from '@/lib/format.ts';
import type { BoardData, State, Task } from '@/lib/types.ts';
import { FilterBar, useUrlFilters } from '../filters-bar.tsx';
import { Icon } from '../icons.tsx';
import { useLive } from '../live/live-provider.tsx';
import { useProject } from '../project/project-context.tsx';
import { useSession } from '../session.tsx';
import { TaskPanel } from '../task/task-panel.tsx';
import { useToast } from '../toast.tsx';
import { Avatar, ErrorState, LabelChip, Loading, PriorityIcon, StateIcon } from '../ui.tsx';
import { useResource } from '../use-api.ts';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function Card({
  task,
  href,
  draggable,
  dragging,
  onDragStart,
  onDragEnd,
  onKeyDown,
  dropBefore,
}: {
  dropBefore: boolean;
  task: Task;
  href: string;
  draggable: boolean;
  dragging: boolean;
  onDragStart: (e: DragEvent) => void;
  onDragEnd: () => void;
  onKeyDown: (e: KeyboardEvent) => void;
}) {
  const { labels, memberName } = useProject();
  const due = dueStatus(task.dueDate, today());
  return (
    <li className="card-slot" data-task-id={task.id}>
      {dropBefore ? <div className="drop-line" aria-hidden="true" /> : null}
      <Link
        href={href}
        scroll={false}
        className={dragging ? 'task-card dragging' : 'task-card'}
        draggable={draggable}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onKeyDown={onKeyDown}
        aria-describedby={draggable ? 'board-help' : undefined}
        data-testid={`card-${task.key}`}
      >
        <div className="task-card-top">
          <span className="task-key">{task.key}</span>
          <PriorityIcon priority={task.priority} />
        </div>
        <div className="task-card-title">{task.title}</div>
        {task.labelIds.length > 0 ||
        task.dueDate ||
        task.assigneeIds.length > 0 ||
        task.estimate != null ? (
          <div className="task-card-meta">
            {task.labelIds.map((id) => {
              const l = labels.find((x) => x.id === id);
              return l ? <LabelChip key={id} name={l.name} color={l.color} /> : null;
            })}
            {task.dueDate ? (
              <span className={`due due-${due}`}>
                <Icon name="calendar" size={12} />
                {formatDate(task.dueDate)}
              </span>
            ) : null}
            {task.estimate != null ? <span className="estimate">{task.estimate} pt</span> : null}
            <span className="avatars">
              {task.assigneeIds.slice(0, 3).map((id) => (
                <Avatar key={id} id={id} name={memberName(id)} size={20} />
              ))}
            </span>
          </div>
        ) : null}
      </Link>
    </li>
  );
}

function QuickAdd({ state, onCreated }: { state: State; onCreated: (t: Task) => void }) {
  const { project } = useProject();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return;
    setBusy(true);
    try {
      const t = await api.post<Task>(`/projects/${project.key}/tasks`, {
        title: title.trim(),
        stateId: state.id,
      });
      onCreated(t);
      setTitle('');
    } catch (err) {
      toast('error', describeError(err));
    } finally {
      setBusy(false);
    }
  };
  if (!open) {
    return (
      <button
        type="button"
        className="quick-add-btn"
        onClick={() => setOpen(true)}
        aria-label={`Add a task to ${state.name}`}
      >
        <Icon name="plus" size={14} /> Add task
      </button>
    );
  }
  return (
    <form className="quick-add" onSubmit={submit}>
      <input
        className="input"
        autoFocus
        placeholder="Task title, then Enter"
        aria-label={`New task title in ${state.name}`}
        value={title}
        disabled={busy}
        maxLength={300}
        onChange={(e) => setTitle(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            setOpen(false);
            setTitle('');
          }
        }}
        onBlur={() => {
          if (!title.trim()) setOpen(false);
        }}
      />
    </form>
  );
}

export function Board() {
  const { project, states, can } = useProject();
  const { user } = useSession();
  const toast = useToast();
  const { filters, setParam } = useUrlFilters();
  const params = useSearchParams();
  const pathname = usePathname();
  const openTask = params.get('task');
  const editable = can('member') && !project.archived;

  const board = useResource(`board-${project.key}`, () =>
    api.get<BoardData>(`/projects/${project.key}/board`),
  );
  const [tasks, setTasks] = useState<Record<string, Task>>({});
  const [columns, setColumns] = useState<BoardColumn[]>([]);
  const [dragId, setDragId] = useState<string | null>(null);
  const [over, setOver] = useState<{ stateId: string; beforeId: string | null } | null>(null);
  const [announce, setAnnounce] = useState('');
  const pendingFocus = useRef<string | null>(null);
  // The dragged card, readable synchronously in dragover (state updates land a render later).
  const dragRef = useRef<string | null>(null);

  useEffect(() => {
    if (!board.data) return;
    const map: Record<string, Task> = {};
    const cols = board.data.columns.map((c) => {
      for (const t of c.tasks) map[t.id] = t;
      return { stateId: c.state.id, taskIds: sortByRank(c.tasks).map((t) => t.id) };
    });
    setTasks(map);
    setColumns(cols);
  }, [board.data]);

  useEffect(() => {
    if (pendingFocus.current) {
      const el = document.querySelector<HTMLElement>(
        `[data-task-id="${pendingFocus.current}"] .task-card`,
      );
      el?.focus();
      pendingFocus.current = null;
    }
  });

  // Panel edits come in bursts: reload the board once they settle.
  const reloadTimer = useRef<number | null>(null);
  const reloadSoon = useCallback(() => {
    if (reloadTimer.current !== null) window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => {
      reloadTimer.current = null;
      void board.reload();
    }, 400);
  }, [board]);
  useEffect(
    () => () => {
      if (reloadTimer.current !== null) window.clearTimeout(reloadTimer.current);
    },
    [],
  );
  // Changes by others appear by themselves; this tab's own are already shown optimistically
  // (the same user's changes from another tab or a script still refresh it).
  useLive((m) => {
    if (m.kind === 'resync') reloadSoon();
    else if (
      m.kind === 'project' &&
      (m.event.actorId !== user?.id || !api.wroteRecently()) &&
      touchesTasks(m.event)
    )
      reloadSoon();
  });

  const stateById = useMemo(() => new Map(states.map((s) => [s.id, s])), [states]);
  const orderedStates = board.data?.columns.map((c) => c.state) ?? states;
  const filtering = hasActiveFilters(filters);

  const hrefFor = useCallback(
    (t: Task) => {
      const p = new URLSearchParams(params.toString());
      p.set('task', String(t.number));
      return `${pathname}?${p.toString()}`;
    },
    [params, pathname],
  );

  const move = async (taskId: string, target: MoveTarget) => {
    if (isNoop(columns, taskId, target)) return;
    const task = tasks[taskId];
    if (!task) return;
    const before = columns;
    setColumns(applyMove(columns, taskId, target));
    const stateName = stateById.get(target.stateId)?.name ?? 'column';
    setAnnounce(`${task.key} moved to ${stateName}, position ${target.index + 1}.`);
    try {
      const updated = await api.post<Task>(
        `/projects/${project.key}/tasks/${task.number}/move`,
        target,
      );
      setTasks((all) => ({ ...all, [taskId]: updated }));
    } catch (err) {
      setColumns(before);
      setAnnounce(`Could not move ${task.key}.`);
      toast('error', `Could not move ${task.key}: ${describeError(err)}`);
    }
  };

  const onCardKey = (t: Task) => (e: KeyboardEvent) => {
    if (!editable) return;
    const dir = directionForKey(e.key, e.altKey);
    if (!dir) return;
    e.preventDefault();
    const target = keyboardTarget(columns, t.id, dir);
    if (target) {
      pendingFocus.current = t.id;
      void move(t.id, target);
    }
  };

  /** The card the pointer is above the middle of (the drop goes before it), or null for the end. */
  const beforeIdAt = (e: DragEvent<HTMLElement>): string | null => {
    for (const c of e.currentTarget.querySelectorAll<HTMLElement>('[data-task-id]')) {
      const r = c.getBoundingClientRect();
      if (e.clientY < r.top + r.height / 2) return c.dataset.taskId ?? null;
    }
    return null;
  };

  const onColumnDragOver = (stateId: string) => (e: DragEvent<HTMLElement>) => {
    if (!dragRef.current) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    const beforeId = beforeIdAt(e);
    if (over?.stateId !== stateId || over.beforeId !== beforeId) setOver({ stateId, beforeId });
  };

  const onColumnDrop = (stateId: string) => (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    const id = dragRef.current ?? e.dataTransfer.getData('text/x-pms-task');
    dragRef.current = null;
    const beforeId = beforeIdAt(e);
    setDragId(null);
    setOver(null);
    if (!id) return;
    const target = dropTarget(columns, id, stateId, beforeId);
    if (target) void move(id, target);
  };

  if (board.error && !board.data)
    return <ErrorState error={board.error} onRetry={() => void board.reload()} />;

  return (
    <div className="board-view">
      <FilterBar>
        {board.loading && board.data ? <span className="muted small">Refreshing…</span> : null}
      </FilterBar>
      <p id="board-help" className="sr-only">
        Press Enter to open. Alt plus arrow keys moves the task between columns and within a column.
      </p>
      <div className="sr-only" role="status" aria-live="assertive">
        {announce}
      </div>
      {!board.data ? (
        <Loading label="Loading board…" />
      ) : (
        <div className="board" role="list" aria-label="Board columns">
          {orderedStates.map((state) => {
            const col = columns.find((c) => c.stateId === state.id);
            const all = (col?.taskIds ?? []).map((id) => tasks[id]).filter((t): t is Task => !!t);
            const visible = filtering
              ? all.filter((t) => matchesFilters(t, filters, user?.id ?? null))
              : all;
            const isOver = over?.stateId === state.id;
            return (
              <section
                key={state.id}
                role="listitem"
                className={isOver ? 'column drop-target' : 'column'}
                aria-label={`${state.name}, ${visible.length} tasks`}
                data-state={state.name}
                onDragOver={onColumnDragOver(state.id)}
                onDragLeave={(e) => {
                  if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(null);
                }}
                onDrop={onColumnDrop(state.id)}
              >
                <header className="column-head">
                  <StateIcon category={state.category} color={state.color} />
                  <h2>{state.name}</h2>
                  <span className="column-count">{visible.length}</span>
                </header>
                <ul className="column-body">
                  {visible.map((t) => (
                    <Card
                      key={t.id}
                      dropBefore={isOver && over.beforeId === t.id && dragId !== t.id}
                      task={t}
                      href={hrefFor(t)}
                      draggable={editable}
                      dragging={dragId === t.id}
                      onDragStart={(e) => {
                        e.dataTransfer.effectAllowed = 'move';
                        e.dataTransfer.setData('text/x-pms-task', t.id);
                        dragRef.current = t.id;
                        setDragId(t.id);
                      }}
                      onDragEnd={() => {
                        dragRef.current = null;
                        setDragId(null);
                        setOver(null);
                      }}
                      onKeyDown={onCardKey(t)}
                    />
                  ))}
                  {isOver && over.beforeId === null ? (
                    <li className="drop-line" aria-hidden="true" />
                  ) : null}
                  {visible.length === 0 && !isOver ? (
                    <li className="column-empty">
                      {filtering && all.length > 0 ? 'No matching tasks' : 'No tasks'}
                    </li>
                  ) : null}
                </ul>
                {editable ? (
                  <QuickAdd
                    state={state}
                    onCreated={(t) => {
                      setTasks((m) => ({ ...m, [t.id]: t }));
                      setColumns((cs) =>
                        cs.map((c) =>
                          c.stateId === state.id ? { ...c, taskIds: [...c.taskIds, t.id] } : c,
                        ),
                      );
                    }}
                  />
                ) : null}
              </section>
            );
          })}
        </div>
      )}
      {openTask ? (
        <TaskPanel
          taskRef={openTask}
          onClose={() => setParam('task', null)}
          onChanged={reloadSoon}
        />
      ) : null}
    </div>
  );
}

'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { api } from '@/lib/client/api.ts';
import { apiQuery, hasActiveFilters, nextSort, sortState, type SortColumn } from '@/lib/filters.ts';
import { dueStatus, formatDate, relativeTime } from '@/lib/format.ts';
import { touchesTasks } from '@/lib/live.ts';
import type { Page, Task } from '@/lib/types.ts';
import { FilterBar, useUrlFilters } from '../filters-bar.tsx';
import { Icon } from '../icons.tsx';
import { useLive } from '../live/live-provider.tsx';
import { useProject } from '../project/project-context.tsx';
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

const PAGE_SIZE = 25;

function SortHeader({
  column,
  label,
  className,
}: {
  column: SortColumn;
  label: string;
  className?: string;
}) {
  const { sort, setSort } = useUrlFilters();
  const state = sortState(sort, column);
  return (
    <th scope="col" aria-sort={state} className={className}>
      <button type="button" className="th-btn" onClick={() => setSort(nextSort(sort, column))}>
        {label}
        {state === 'ascending' ? (
          <Icon name="arrowUp" size={12} />
        ) : state === 'descending' ? (
          <Icon name="arrowDown" size={12} />
        ) : null}
      </button>
    </th>
  );
}

export function TaskList() {
  const { project, states, labels, memberName } = useProject();
  const { filters, sort, search } = useUrlFilters();
  // Cursor pagination: a stack of the cursors that opened each page, reset when filters change.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const queryKey = `${search}`;
  useEffect(() => setCursors([null]), [queryKey]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useResource(`list-${project.key}-${queryKey}-${cursor ?? ''}`, () =>
    api.get<Page<Task>>(
      `/projects/${project.key}/tasks`,
      apiQuery(filters, { sort, limit: String(PAGE_SIZE), cursor: cursor ?? undefined }),
    ),
  );
  const today = new Date().toISOString().slice(0, 10);
  // Changes by anyone (another tab included) refresh the page of tasks shown.
  useLive((m) => {
    if (m.kind === 'resync' || (m.kind === 'project' && touchesTasks(m.event))) void page.reload();
  });

  return (
    <div className="list-view">
      <FilterBar />
      {page.error ? (
        <ErrorState error={page.error} onRetry={() => void page.reload()} />
      ) : !page.data ? (
        <Loading label="Loading tasks…" />
      ) : page.data.items.length === 0 && cursors.length === 1 ? (
        hasActiveFilters(filters) ? (
          <EmptyState icon="search" title="No matching tasks" text="Try removing some filters." />
        ) : (
          <EmptyState icon="list" title="No tasks yet" text="Add tasks from the board." />
        )
      ) : (
        <>
          <div className="table-wrap" aria-busy={page.loading || undefined}>
            <table className="table">
              <thead>
                <tr>
                  <SortHeader column="number" label="ID" className="col-id" />
                  <th scope="col">Title</th>
                  <th scope="col" className="col-state">
                    State
                  </th>
                  <SortHeader column="priority" label="Priority" className="col-prio" />
                  <th scope="col" className="hide-sm">
                    Assignees
                  </th>
                  <th scope="col" className="hide-sm">
                    Due
                  </th>
                  <SortHeader column="updated" label="Updated" className="hide-sm" />
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((t) => {
                  const s = states.find((x) => x.id === t.stateId);
                  const due = dueStatus(t.dueDate, today);
                  return (
                    <tr key={t.id}>
                      <td className="col-id mono muted">{t.key}</td>
                      <td>
                        <Link
                          href={`/projects/${project.key}/tasks/${t.number}`}
                          className="row-link"
                        >
                          {t.title}
                        </Link>
                        <span className="row-labels">
                          {t.labelIds.map((id) => {
                            const l = labels.find((x) => x.id === id);
                            return l ? <LabelChip key={id} name={l.name} color={l.color} /> : null;
                          })}
                        </span>
                      </td>
                      <td className="col-state">
                        {s ? (
                          <span className="row-inline">
                            <StateIcon category={s.category} color={s.color} />{' '}
                            <span className="hide-xs">{s.name}</span>
                          </span>
                        ) : null}
                      </td>
                      <td className="col-prio">
                        <span className="row-inline">
                          <PriorityIcon priority={t.priority} />{' '}
                          <span className="hide-xs">{PRIORITY_LABEL[t.priority]}</span>
                        </span>
                      </td>
                      <td className="hide-sm">
                        <span className="avatars">
                          {t.assigneeIds.map((id) => (
                            <Avatar key={id} id={id} name={memberName(id)} size={22} />
                          ))}
                        </span>
                      </td>
                      <td className={`hide-sm due-${due ?? 'none'}`}>{formatDate(t.dueDate)}</td>
                      <td className="hide-sm muted">{relativeTime(t.updatedAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pagination">
            <span className="muted small">Page {cursors.length}</span>
            <Button
              size="sm"
              icon="chevronLeft"
              disabled={cursors.length === 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              Previous
            </Button>
            <Button
              size="sm"
              disabled={!page.data.nextCursor}
              onClick={() => {
                const n = page.data?.nextCursor;
                if (n) setCursors((c) => [...c, n]);
              }}
            >
              Next <Icon name="chevronRight" />
            </Button>
          </nav>
        </>
      )}
    </div>
  );
}

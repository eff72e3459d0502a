'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  EMPTY_FILTERS,
  hasActiveFilters,
  parseFilters,
  parseSort,
  PRIORITIES,
  toggle,
  writeFilters,
  type Sort,
  type TaskFilters,
} from '@/lib/filters.ts';
import { Icon } from './icons.tsx';
import { useProject } from './project/project-context.tsx';
import { SavedViews } from './views/saved-views.tsx';
import { Avatar, LabelChip, PRIORITY_LABEL, PriorityIcon } from './ui.tsx';

/** Filters and sort live in the URL; this reads them and writes changes back (replace). */
export function useUrlFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const search = params.toString();
  const filters = useMemo(() => parseFilters(new URLSearchParams(search)), [search]);
  const sort = useMemo(() => parseSort(new URLSearchParams(search)), [search]);
  const setParams = useCallback(
    (next: URLSearchParams) => {
      const s = next.toString();
      router.replace(s ? `${pathname}?${s}` : pathname, { scroll: false });
    },
    [router, pathname],
  );
  const setFilters = useCallback(
    (f: TaskFilters) => setParams(writeFilters(new URLSearchParams(window.location.search), f)),
    [setParams],
  );
  const setSort = useCallback(
    (s: Sort) => setParams(writeFilters(new URLSearchParams(window.location.search), filters, s)),
    [setParams, filters],
  );
  const setParam = useCallback(
    (name: string, value: string | null) => {
      const p = new URLSearchParams(window.location.search);
      if (value === null) p.delete(name);
      else p.set(name, value);
      setParams(p);
    },
    [setParams],
  );
  return { filters, sort, setFilters, setSort, setParam, search };
}

function Menu({ label, count, children }: { label: string; count: number; children: ReactNode }) {
  return (
    <details className="menu">
      <summary className={count ? 'filter-btn active' : 'filter-btn'}>
        {label}
        {count ? <span className="count">{count}</span> : null}
        <Icon name="chevronDown" size={14} />
      </summary>
      <div className="menu-pop" role="group" aria-label={label}>
        {children}
      </div>
    </details>
  );
}

function Check({
  checked,
  onChange,
  children,
}: {
  checked: boolean;
  onChange: () => void;
  children: ReactNode;
}) {
  return (
    <label className="menu-item">
      <input type="checkbox" checked={checked} onChange={onChange} />
      {children}
    </label>
  );
}

export function FilterBar({ children }: { children?: ReactNode }) {
  const { filters, setFilters } = useUrlFilters();
  const { members, labels } = useProject();
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(() => {
    if (q === filters.q) return;
    const t = window.setTimeout(() => setFilters({ ...filters, q }), 300);
    return () => window.clearTimeout(t);
  }, [q, filters, setFilters]);

  return (
    <div className="filter-bar" role="search">
      <div className="search">
        <Icon name="search" />
        <input
          type="search"
          className="search-input"
          placeholder="Filter by title or key…"
          aria-label="Filter tasks by text"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      <Menu label="Assignee" count={filters.assignee.length}>
        <Check
          checked={filters.assignee.includes('me')}
          onChange={() => setFilters({ ...filters, assignee: toggle(filters.assignee, 'me') })}
        >
          Me
        </Check>
        <Check
          checked={filters.assignee.includes('none')}
          onChange={() => setFilters({ ...filters, assignee: toggle(filters.assignee, 'none') })}
        >
          Unassigned
        </Check>
        {members.map((m) => (
          <Check
            key={m.userId}
            checked={filters.assignee.includes(m.userId)}
            onChange={() =>
              setFilters({ ...filters, assignee: toggle(filters.assignee, m.userId) })
            }
          >
            <Avatar id={m.userId} name={m.name} size={18} /> {m.name}
          </Check>
        ))}
      </Menu>
      <Menu label="Label" count={filters.label.length}>
        {labels.length === 0 ? <p className="menu-empty">No labels yet</p> : null}
        {labels.map((l) => (
          <Check
            key={l.id}
            checked={filters.label.includes(l.id)}
            onChange={() => setFilters({ ...filters, label: toggle(filters.label, l.id) })}
          >
            <LabelChip name={l.name} color={l.color} />
          </Check>
        ))}
      </Menu>
      <Menu label="Priority" count={filters.priority.length}>
        {PRIORITIES.map((p) => (
          <Check
            key={p}
            checked={filters.priority.includes(p)}
            onChange={() => setFilters({ ...filters, priority: toggle(filters.priority, p) })}
          >
            <PriorityIcon priority={p} /> {PRIORITY_LABEL[p]}
          </Check>
        ))}
      </Menu>
      {hasActiveFilters(filters) ? (
        <button type="button" className="link-btn" onClick={() => setFilters(EMPTY_FILTERS)}>
          Clear filters
        </button>
      ) : null}
      <SavedViews />
      <div className="filter-bar-end">{children}</div>
    </div>
  );
}

// Saved views <-> the board/list URL. A view stores the task list's filter parameters, the sort
// and the layout; applying one navigates to the layout's page with those parameters. Pure.
import {
  DEFAULT_SORT,
  parseFilters,
  parseSort,
  writeFilters,
  type Sort,
  type TaskFilters,
} from './filters.ts';

export type Layout = 'board' | 'list';

export interface SavedView {
  id: string;
  name: string;
  filters: Record<string, string | string[]>;
  sort: Sort;
  layout: Layout;
  shared: boolean;
  canEdit: boolean;
  ownerId: string;
  ownerName: string;
}

/** The API body for the current filters (only non-empty ones). */
export function viewFilters(f: TaskFilters): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (f.assignee.length) out.assignee = f.assignee;
  if (f.label.length) out.label = f.label;
  if (f.priority.length) out.priority = f.priority;
  if (f.q.trim()) out.q = f.q.trim();
  return out;
}

/** The filters and sort a view stands for, as the web app reads them from a URL. */
export function viewState(v: Pick<SavedView, 'filters' | 'sort'>): {
  filters: TaskFilters;
  sort: Sort;
} {
  const p = new URLSearchParams();
  for (const [k, val] of Object.entries(v.filters))
    p.set(k, Array.isArray(val) ? val.join(',') : val);
  p.set('sort', v.sort);
  return { filters: parseFilters(p), sort: parseSort(p) };
}

/** Where a view opens: its layout's page with its filters, sort and id in the query. */
export function viewHref(
  projectKey: string,
  v: Pick<SavedView, 'id' | 'filters' | 'sort' | 'layout'>,
): string {
  const { filters, sort } = viewState(v);
  const q = writeFilters('', filters, sort);
  q.set('view', v.id);
  return `/projects/${encodeURIComponent(projectKey)}/${v.layout}?${q.toString()}`;
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** Whether the page shows exactly this view (so the picker can name it). */
export function isCurrentView(
  v: Pick<SavedView, 'filters' | 'sort' | 'layout'>,
  current: { filters: TaskFilters; sort: Sort; layout: Layout },
): boolean {
  const s = viewState(v);
  // The board has no sort of its own: its views match whatever sort the URL carries.
  const sortOk = v.layout === 'board' || (s.sort ?? DEFAULT_SORT) === current.sort;
  return (
    v.layout === current.layout &&
    sortOk &&
    same(s.filters.assignee, current.filters.assignee) &&
    same(s.filters.label, current.filters.label) &&
    same(s.filters.priority, current.filters.priority) &&
    s.filters.q.trim() === current.filters.q.trim()
  );
}

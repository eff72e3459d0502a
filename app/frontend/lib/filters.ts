// Task filters and list sorting <-> URL query string. The URL is the source of truth so that a
// filtered board or list can be shared, bookmarked and survives a reload.

export const PRIORITIES = ['urgent', 'high', 'medium', 'low', 'none'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const SORTS = [
  '-created',
  'created',
  '-updated',
  'updated',
  'number',
  '-number',
  'priority',
  '-priority',
  'rank',
] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = '-created';

export interface TaskFilters {
  /** user ids, `me` or `none` */
  assignee: string[];
  label: string[];
  priority: Priority[];
  q: string;
}

export const EMPTY_FILTERS: TaskFilters = { assignee: [], label: [], priority: [], q: '' };

type Params = Pick<URLSearchParams, 'getAll'>;

/** Values of a repeated or comma-separated parameter, trimmed, de-duplicated, in order. */
function list(params: Params, name: string): string[] {
  const out: string[] = [];
  for (const raw of params.getAll(name)) {
    for (const part of raw.split(',')) {
      const v = part.trim();
      if (v && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

const ID = /^(me|none|[a-zA-Z0-9_-]{1,64})$/;

export function parseFilters(params: Params): TaskFilters {
  const q = (params.getAll('q')[0] ?? '').slice(0, 200);
  return {
    assignee: list(params, 'assignee').filter((v) => ID.test(v)),
    label: list(params, 'label').filter((v) => ID.test(v)),
    priority: list(params, 'priority').filter((v): v is Priority =>
      (PRIORITIES as readonly string[]).includes(v),
    ),
    q: q.trim() === '' ? '' : q,
  };
}

export function parseSort(params: Params): Sort {
  const s = params.getAll('sort')[0];
  return (SORTS as readonly string[]).includes(s ?? '') ? (s as Sort) : DEFAULT_SORT;
}

export function hasActiveFilters(f: TaskFilters): boolean {
  return f.assignee.length > 0 || f.label.length > 0 || f.priority.length > 0 || f.q.trim() !== '';
}

/**
 * Writes filters (and optionally sort) into a copy of `base`, leaving unrelated parameters (e.g.
 * `task`) alone. Empty filters and the default sort are omitted so URLs stay short.
 */
export function writeFilters(
  base: URLSearchParams | string,
  f: TaskFilters,
  sort?: Sort,
): URLSearchParams {
  const out = new URLSearchParams(base);
  for (const k of ['assignee', 'label', 'priority', 'q']) out.delete(k);
  if (f.assignee.length) out.set('assignee', f.assignee.join(','));
  if (f.label.length) out.set('label', f.label.join(','));
  if (f.priority.length) out.set('priority', f.priority.join(','));
  if (f.q.trim()) out.set('q', f.q.trim());
  if (sort !== undefined) {
    out.delete('sort');
    if (sort !== DEFAULT_SORT) out.set('sort', sort);
  }
  return out;
}

/** Query string for the API's task list / board endpoints. */
export function apiQuery(
  f: TaskFilters,
  extra: Record<string, string | undefined> = {},
): URLSearchParams {
  const out = writeFilters('', f);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') out.set(k, v);
  return out;
}

/** Adds the value when absent, removes it when present. */
export function toggle<T extends string>(values: readonly T[], value: T): T[] {
  return values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
}

/** Client-side text match used on the board (the board endpoint has no `q`). */
export function matchesText(task: { title: string; key: string }, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return task.title.toLowerCase().includes(needle) || task.key.toLowerCase() === needle;
}

export type SortColumn = 'number' | 'created' | 'updated' | 'priority';

/** Clicking a column header: first ascending (priority: most urgent first), then descending. */
export function nextSort(current: Sort, column: SortColumn): Sort {
  if (current === column) return `-${column}` as Sort;
  return column as Sort;
}

export function sortState(current: Sort, column: SortColumn): 'ascending' | 'descending' | 'none' {
  if (current === column) return 'ascending';
  if (current === `-${column}`) return 'descending';
  return 'none';
}

/** Client-side filter match (the board endpoint's result is filtered in the browser). */
export function matchesFilters(
  task: { title: string; key: string; assigneeIds: string[]; labelIds: string[]; priority: string },
  f: TaskFilters,
  meId: string | null,
): boolean {
  if (f.assignee.length > 0) {
    const ok = f.assignee.some((a) =>
      a === 'none'
        ? task.assigneeIds.length === 0
        : task.assigneeIds.includes(a === 'me' ? (meId ?? '') : a),
    );
    if (!ok) return false;
  }
  if (f.label.length > 0 && !f.label.some((l) => task.labelIds.includes(l))) return false;
  if (f.priority.length > 0 && !(f.priority as string[]).includes(task.priority)) return false;
  return matchesText(task, f.q);
}

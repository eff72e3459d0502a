// Search results: the API returns text plus highlight ranges (never HTML); this turns them into
// segments that React renders as text nodes and <mark> elements, so a task titled
// "<img onerror=…>" is shown as those characters. Pure.

export interface Range {
  start: number;
  end: number;
}

export interface Segment {
  text: string;
  mark: boolean;
}

/** Splits `text` at the ranges (clamped, sorted, overlaps merged) into plain and marked parts. */
export function segments(text: string, ranges: readonly Range[]): Segment[] {
  const clean = ranges
    .map((r) => ({ start: Math.max(0, r.start), end: Math.min(text.length, r.end) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const r of clean) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  const out: Segment[] = [];
  let at = 0;
  for (const r of merged) {
    if (r.start > at) out.push({ text: text.slice(at, r.start), mark: false });
    out.push({ text: text.slice(r.start, r.end), mark: true });
    at = r.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), mark: false });
  return out;
}

/** The page of one task (the task page also works for tasks of other projects). */
export const taskHref = (projectKey: string, number: number): string =>
  `/projects/${encodeURIComponent(projectKey)}/tasks/${number}`;

/** Whether a key press should open the global search: "/" outside text fields, or Ctrl/Cmd-K. */
export function isSearchShortcut(e: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: { tagName?: string; isContentEditable?: boolean } | null;
}): boolean {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') return true;
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return false;
  const tag = e.target?.tagName?.toUpperCase() ?? '';
  return !(
    tag === 'INPUT' ||
    tag === 'TEXTAREA' ||
    tag === 'SELECT' ||
    e.target?.isContentEditable
  );
}

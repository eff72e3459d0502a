// Tasks as CSV: the columns this app exports, and the reading of any CSV through a column mapping
// (field → column header). Pure.
import { badRequest } from '../platform/errors.ts';
import { unguardFormula, type CsvTable } from './csv.ts';
import type { Source, SourceTask, Unmapped } from './source.ts';

/** The fields a CSV column can be mapped to. */
export const CSV_FIELDS = [
  'key',
  'title',
  'description',
  'state',
  'priority',
  'assignees',
  'labels',
  'dueDate',
  'estimate',
  'parent',
  'createdAt',
] as const;
export type TCsvField = (typeof CSV_FIELDS)[number];
export type TCsvMapping = Partial<Record<TCsvField, string>>;

/** The exported columns, in order (also how the import recognises the app's own files). */
export const EXPORT_COLUMNS = [
  'Key',
  'Title',
  'Description',
  'State',
  'Priority',
  'Assignees',
  'Labels',
  'Due date',
  'Estimate',
  'Parent',
  'Created by',
  'Created at',
  'Updated at',
] as const;

/** Multi-valued cells (assignees, labels) hold values separated by `;` (and spaces). */
export const LIST_SEPARATOR = '; ';
export const splitList = (v: string): string[] =>
  v
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

// Header names recognised without a mapping (lower case): the export's, and common ones of other
// tools (Jira's Summary/Status/Issue key, Asana's Name/Section, GitHub's Body/Milestone...).
const ALIASES: Record<TCsvField, string[]> = {
  key: ['key', 'issue key', 'task key', 'id', 'issue id', 'task id'],
  title: ['title', 'summary', 'name', 'task', 'subject', 'task name'],
  description: ['description', 'desc', 'details', 'body', 'notes'],
  state: ['state', 'status', 'list', 'column', 'section', 'stage'],
  priority: ['priority'],
  assignees: ['assignees', 'assignee', 'assigned to', 'owner', 'owners'],
  labels: ['labels', 'label', 'tags', 'tag'],
  dueDate: ['due date', 'due', 'duedate', 'due_date', 'due on', 'deadline'],
  estimate: ['estimate', 'story points', 'points', 'original estimate'],
  parent: ['parent', 'parent key', 'parent id', 'parent task'],
  createdAt: ['created at', 'created', 'created_at', 'creation date'],
};

export function isOwnHeader(header: string[]): boolean {
  return header.length === EXPORT_COLUMNS.length && header.every((h, i) => h === EXPORT_COLUMNS[i]);
}

/** The default mapping: every field whose alias is one of the headers (first match). */
export function defaultMapping(header: string[]): TCsvMapping {
  const lower = header.map((h) => h.trim().toLowerCase());
  const m: TCsvMapping = {};
  for (const f of CSV_FIELDS) {
    const i = lower.findIndex((h) => ALIASES[f].includes(h));
    if (i >= 0) m[f] = header[i] as string;
  }
  return m;
}

/**
 * Reads tasks from a parsed CSV. `mapping` overrides the default field by field (an empty
 * string unmaps a field). A mapping naming a column the file lacks is a 400; no title column
 * is a 400 (nothing could be imported).
 */
export function readCsvTasks(table: CsvTable, override: TCsvMapping = {}): Source {
  const own = isOwnHeader(table.header);
  const mapping: TCsvMapping = { ...defaultMapping(table.header) };
  for (const [f, col] of Object.entries(override) as [TCsvField, string][]) {
    if (col === '') delete mapping[f];
    else mapping[f] = col;
  }
  const bad = Object.entries(mapping)
    .filter(([, col]) => !table.header.includes(col))
    .map(([f, col]) => ({
      path: `query.mapping.${f}`,
      message: `the file has no column "${col}"`,
    }));
  if (bad.length) throw badRequest('The mapping names columns the file does not have', bad);
  if (!mapping.title)
    throw badRequest('No column is mapped to the task title', [
      {
        path: 'query.mapping.title',
        message: `map one of the columns (${table.header.join(', ')}) to title`,
      },
    ]);
  const index = new Map(table.header.map((h, i) => [h, i]));
  const col = (f: TCsvField) => (mapping[f] === undefined ? -1 : (index.get(mapping[f]) ?? -1));
  const cols = Object.fromEntries(CSV_FIELDS.map((f) => [f, col(f)])) as Record<TCsvField, number>;

  const unmapped: Unmapped[] = [];
  const used = new Set(Object.values(cols));
  const ignored = table.header.filter(
    (h, i) => !used.has(i) && !(own && ['Created by', 'Updated at'].includes(h)),
  );
  if (ignored.length)
    unmapped.push({
      where: 'header',
      reason: `column${ignored.length > 1 ? 's' : ''} not imported: ${ignored.join(', ')}`,
    });

  const tasks: SourceTask[] = table.rows.map((r) => {
    const get = (f: TCsvField): string => {
      const i = cols[f];
      const v = i < 0 ? '' : (r.cells[i] ?? '');
      return own ? unguardFormula(v) : v;
    };
    const key = get('key').trim();
    return {
      ref: key || `line ${r.line}`,
      where: `line ${r.line}`,
      title: get('title'),
      description: get('description'),
      state: get('state').trim() || null,
      priority: get('priority').trim() || null,
      assignees: splitList(get('assignees')),
      labels: splitList(get('labels')),
      dueDate: get('dueDate').trim() || null,
      estimate: get('estimate').trim() || null,
      parent: get('parent').trim() || null,
      comments: [],
      createdAt: get('createdAt').trim() || null,
    };
  });
  // Assignee cells hold e-mails (this app's export) or names (other tools).
  const people = [...new Set(tasks.flatMap((t) => t.assignees))].map((v) =>
    v.includes('@') ? { key: v, email: v } : { key: v, name: v },
  );
  return {
    format: 'csv',
    states: [],
    labels: [],
    people,
    tasks,
    unmapped,
    columns: table.header,
    mapping: mapping as Record<string, string>,
  };
}

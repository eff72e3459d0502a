// Maps a normalised Source onto a project: which states, labels and members must be created,
// every task with its fields validated, and a report of what cannot be used (per row, with the
// reason). Pure: the service supplies the project's current states, labels, members and the
// instance users whose e-mail the file mentions, and later creates exactly what the plan says.
import { PRIORITIES, type TPriority } from '../tasks/model.ts';
import { isRealDate, stripUnsafe } from '../platform/text.ts';
import type { TProjectRole } from '../projects/model.ts';
import type { Source, SourcePerson, TStateCategory, Unmapped } from './source.ts';

export interface Target {
  states: { id: string; name: string; category: string }[];
  labels: { id: string; name: string }[];
  members: { userId: string; email: string; name: string }[];
  /** Instance users whose e-mail appears in the source (lower-cased e-mails). */
  users: { id: string; email: string; name: string }[];
}

export interface PlannedComment {
  authorId: string | null;
  authorName: string;
  body: string;
  createdAt: string | null;
}

export interface PlannedTask {
  ref: string;
  where: string;
  title: string;
  description: string;
  /** Name of an existing or planned state. */
  state: string;
  priority: TPriority;
  assigneeIds: string[];
  /** Names of existing or planned labels. */
  labels: string[];
  dueDate: string | null;
  estimate: number | null;
  /** `ref` of another planned task. */
  parent: string | null;
  comments: PlannedComment[];
  createdAt: string | null;
  /** Source board order within the state (null: file order). */
  rank: string | null;
}

export interface Plan {
  states: { name: string; category: TStateCategory; color: string }[];
  labels: { name: string; color: string }[];
  members: { userId: string; email: string; name: string; role: TProjectRole }[];
  tasks: PlannedTask[];
  unmapped: Unmapped[];
}

export const LIMITS = {
  title: 300,
  description: 100_000,
  stateName: 50,
  labelName: 50,
  labelsPerTask: 50,
  assigneesPerTask: 20,
  comment: 20_000,
  estimate: 100_000,
};

const PRIORITY_ALIASES: Record<string, TPriority> = {
  '': 'none',
  none: 'none',
  no: 'none',
  lowest: 'low',
  trivial: 'low',
  minor: 'low',
  low: 'low',
  normal: 'medium',
  medium: 'medium',
  major: 'high',
  high: 'high',
  highest: 'urgent',
  critical: 'urgent',
  blocker: 'urgent',
  urgent: 'urgent',
};

export function mapPriority(v: string | null): TPriority | null {
  const k = (v ?? '').trim().toLowerCase();
  if ((PRIORITIES as readonly string[]).includes(k)) return k as TPriority;
  return PRIORITY_ALIASES[k] ?? null;
}

/** A state category from a column/list name (Trello lists and CSV states have none). */
export function guessCategory(name: string): TStateCategory {
  const n = name.toLowerCase();
  if (/cancel|won'?t|wont|reject|abandon|archiv/.test(n)) return 'cancelled';
  if (/done|complete|finish|closed|resolved|shipped|released/.test(n)) return 'completed';
  if (/progress|doing|review|testing|\bqa\b|active|started|working|wip/.test(n)) return 'started';
  if (/backlog|icebox|idea|someday|inbox/.test(n)) return 'backlog';
  return 'unstarted';
}

const CATEGORY_COLOR: Record<TStateCategory, string> = {
  backlog: '#94a3b8',
  unstarted: '#64748b',
  started: '#f59e0b',
  completed: '#22c55e',
  cancelled: '#ef4444',
};
const LABEL_COLOR = '#64748b';
const HEX = /^#[0-9a-fA-F]{6}$/;

/** A one-line name: controls stripped, whitespace collapsed. */
export const oneLine = (s: string): string => stripUnsafe(s.replace(/\s+/g, ' ')).trim();

/** A due date: YYYY-MM-DD or ISO 8601 (checked), else any date Date.parse reads (e.g. RFC 2822). */
export function parseDate(v: string): string | null {
  const s = v.trim();
  if (isRealDate(s)) return new Date(s).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) return null; // looks ISO but is not a real date
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

const lc = (s: string | undefined) => (s ?? '').trim().toLowerCase();
/** How state names are compared: letters and digits only, lower case ("To Do" = "todo"). */
export const stateKey = (s: string): string => {
  const k = lc(s).replace(/[^\p{L}\p{N}]/gu, '');
  return k || lc(s);
};

interface PersonMatch {
  userId: string;
  email: string;
  name: string;
  join?: TProjectRole;
}

/**
 * Finds the user a source person is: by e-mail among the project's members, then among the
 * instance's users (who then join the project), else by name or username among the members.
 */
function matchPerson(p: SourcePerson, t: Target): PersonMatch | null {
  const email = lc(p.email);
  if (email) {
    const m = t.members.find((x) => lc(x.email) === email);
    if (m) return { userId: m.userId, email: m.email, name: m.name };
    const u = t.users.find((x) => lc(x.email) === email);
    if (u) {
      const role = p.role === 'owner' ? 'admin' : (p.role ?? 'member');
      return { userId: u.id, email: u.email, name: u.name, join: role };
    }
  }
  const names = [lc(p.name), lc(p.username)].filter(Boolean);
  const m = t.members.find(
    (x) => names.includes(lc(x.name)) || names.includes(lc(x.email.split('@')[0])),
  );
  return m ? { userId: m.userId, email: m.email, name: m.name } : null;
}

const personLabel = (p: SourcePerson | undefined, key: string) =>
  p?.email ?? p?.name ?? p?.username ?? key;

export function buildPlan(src: Source, target: Target): Plan {
  const unmapped: Unmapped[] = [...src.unmapped];
  const report = (where: string, field: string | undefined, reason: string) =>
    unmapped.push(field ? { where, field, reason } : { where, reason });

  // States: existing by name (ignoring case, spaces and punctuation: Trello's "To Do" is the
  // project's "Todo"), else planned with a guessed category.
  const sk = stateKey;
  const stateByName = new Map<string, string>(target.states.map((s) => [sk(s.name), s.name]));
  const categoryOf = new Map<string, string>(target.states.map((s) => [sk(s.name), s.category]));
  const states: Plan['states'] = [];
  const ensureState = (raw: string, category?: TStateCategory, color?: string): string => {
    const name = oneLine(raw).slice(0, LIMITS.stateName);
    const have = stateByName.get(sk(name));
    if (have) return have;
    const cat = category ?? guessCategory(name);
    states.push({
      name,
      category: cat,
      color: color && HEX.test(color) ? color : CATEGORY_COLOR[cat],
    });
    stateByName.set(sk(name), name);
    categoryOf.set(sk(name), cat);
    return name;
  };
  for (const s of src.states) if (oneLine(s.name)) ensureState(s.name, s.category, s.color);
  const firstOfCategory = (cat: TStateCategory): string => {
    for (const [k, c] of categoryOf) if (c === cat) return stateByName.get(k) as string;
    return ensureState(cat === 'completed' ? 'Done' : cat[0]?.toUpperCase() + cat.slice(1), cat);
  };
  const defaultState = (): string =>
    target.states[0]?.name ?? states[0]?.name ?? ensureState('Todo', 'unstarted');

  // Labels: existing by name, else planned.
  const labelByName = new Map<string, string>(target.labels.map((l) => [lc(l.name), l.name]));
  const labels: Plan['labels'] = [];
  const ensureLabel = (raw: string, color?: string): string | null => {
    const name = oneLine(raw).slice(0, LIMITS.labelName);
    if (!name) return null;
    const have = labelByName.get(lc(name));
    if (have) return have;
    labels.push({ name, color: color && HEX.test(color) ? color : LABEL_COLOR });
    labelByName.set(lc(name), name);
    return name;
  };
  for (const l of src.labels) ensureLabel(l.name, l.color);

  // People: matched once each; new members collected.
  const people = new Map(src.people.map((p) => [p.key, p]));
  const matched = new Map<string, PersonMatch | null>();
  const members: Plan['members'] = [];
  const resolve = (key: string): PersonMatch | null => {
    if (matched.has(key)) return matched.get(key) ?? null;
    const p = people.get(key) ?? (key.includes('@') ? { key, email: key } : { key, name: key });
    const m = matchPerson(p, target);
    matched.set(key, m);
    if (m?.join && !members.some((x) => x.userId === m.userId))
      members.push({ userId: m.userId, email: m.email, name: m.name, role: m.join });
    return m;
  };

  // Declared members (this app's export) join even when no task names them.
  for (const p of src.people)
    if (p.role && !resolve(p.key))
      report(
        `member ${personLabel(p, p.key)}`,
        undefined,
        'no user with this e-mail here; not added',
      );

  // Tasks.
  const tasks: PlannedTask[] = [];
  const seen = new Set<string>();
  for (const s of src.tasks) {
    const where = s.where;
    if (seen.has(s.ref)) {
      report(where, 'key', `the key ${s.ref} appears twice; this row is skipped`);
      continue;
    }
    const rawTitle = oneLine(s.title);
    if (!rawTitle) {
      report(where, 'title', 'no title; the row is skipped');
      continue;
    }
    seen.add(s.ref);
    let title = rawTitle;
    if (title.length > LIMITS.title) {
      title = title.slice(0, LIMITS.title);
      report(where, 'title', `longer than ${LIMITS.title} characters; cut`);
    }
    let description = s.description;
    if (description.length > LIMITS.description) {
      description = description.slice(0, LIMITS.description);
      report(where, 'description', `longer than ${LIMITS.description} characters; cut`);
    }
    const state =
      s.state && oneLine(s.state)
        ? ensureState(s.state, s.stateCategory)
        : s.stateCategory
          ? firstOfCategory(s.stateCategory)
          : defaultState();
    let priority = mapPriority(s.priority);
    if (priority === null) {
      report(where, 'priority', `unknown priority "${s.priority}"; set to none`);
      priority = 'none';
    }
    const assigneeIds: string[] = [];
    for (const a of s.assignees) {
      const m = resolve(a);
      if (!m) report(where, 'assignees', `no user here matches ${personLabel(people.get(a), a)}`);
      else if (!assigneeIds.includes(m.userId)) assigneeIds.push(m.userId);
    }
    if (assigneeIds.length > LIMITS.assigneesPerTask) {
      report(
        where,
        'assignees',
        `more than ${LIMITS.assigneesPerTask} assignees; the rest dropped`,
      );
      assigneeIds.length = LIMITS.assigneesPerTask;
    }
    const taskLabels = [
      ...new Set(s.labels.map((l) => ensureLabel(l)).filter((l): l is string => l !== null)),
    ];
    if (taskLabels.length > LIMITS.labelsPerTask) {
      report(where, 'labels', `more than ${LIMITS.labelsPerTask} labels; the rest dropped`);
      taskLabels.length = LIMITS.labelsPerTask;
    }
    let dueDate: string | null = null;
    if (s.dueDate && s.dueDate.trim()) {
      dueDate = parseDate(s.dueDate);
      if (!dueDate) report(where, 'dueDate', `"${s.dueDate}" is not a date; dropped`);
    }
    let estimate: number | null = null;
    if (s.estimate !== null && String(s.estimate).trim() !== '') {
      const n = Number(String(s.estimate).trim().replace(',', '.'));
      if (Number.isFinite(n) && n >= 0 && n <= LIMITS.estimate) estimate = n;
      else
        report(
          where,
          'estimate',
          `"${s.estimate}" is not a number from 0 to ${LIMITS.estimate}; dropped`,
        );
    }
    const comments: PlannedComment[] = [];
    for (const c of s.comments) {
      if (!c.body.trim()) continue;
      const m = c.author ? resolve(c.author) : null;
      const body = c.body.length > LIMITS.comment ? c.body.slice(0, LIMITS.comment) : c.body;
      if (body !== c.body)
        report(where, 'comments', `a comment longer than ${LIMITS.comment} characters was cut`);
      comments.push({
        authorId: m?.userId ?? null,
        authorName: m?.name ?? (oneLine(c.authorName) || 'Imported'),
        body,
        createdAt: c.createdAt && parseDate(c.createdAt),
      });
    }
    tasks.push({
      ref: s.ref,
      where,
      title,
      description,
      state,
      priority,
      assigneeIds,
      labels: taskLabels,
      dueDate,
      estimate,
      parent: s.parent && s.parent.trim() ? s.parent.trim() : null,
      comments,
      createdAt: s.createdAt ? parseDate(s.createdAt) : null,
      rank: s.rank ?? null,
    });
  }

  // Parents: must be another imported task, and the chain must not loop.
  const byRef = new Map(tasks.map((t) => [t.ref, t]));
  for (const t of tasks) {
    if (t.parent === null) continue;
    if (!byRef.has(t.parent)) {
      report(
        t.where,
        'parent',
        `parent ${t.parent} is not in the file (or was skipped); imported without a parent`,
      );
      t.parent = null;
    }
  }
  for (const t of tasks) {
    const chain = new Set<string>([t.ref]);
    for (let cur = t.parent; cur !== null; cur = byRef.get(cur)?.parent ?? null) {
      if (chain.has(cur)) {
        report(
          t.where,
          'parent',
          `parent ${t.parent} would make a cycle; imported without a parent`,
        );
        t.parent = null;
        break;
      }
      chain.add(cur);
    }
  }
  return { states, labels, members, tasks, unmapped };
}

/** Counts for the preview and the result. */
export function planCounts(p: Plan) {
  return {
    tasks: p.tasks.length,
    subtasks: p.tasks.filter((t) => t.parent !== null).length,
    comments: p.tasks.reduce((n, t) => n + t.comments.length, 0),
    states: p.states.length,
    labels: p.labels.length,
    members: p.members.length,
    unmapped: p.unmapped.length,
  };
}

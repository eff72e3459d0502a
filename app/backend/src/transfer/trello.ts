// Trello board export (Board menu → Print, export and share → Export as JSON) → Source. Pure.
//
// Lists become states (open lists only, in board order, categories guessed from their names),
// cards become tasks, labels become labels (an unnamed label is named after its colour),
// checklist items become subtasks (done items in a completed state) or a task list in the
// description, `commentCard` actions become comments, and members are matched by e-mail (rarely
// in exports), full name or username against the project's members. What has no place here
// (archived lists and cards, attachments, custom fields, stickers, votes) is reported.
import { z } from 'zod';
import { badRequest } from '../platform/errors.ts';
import type { Source, SourceComment, SourceTask, Unmapped } from './source.ts';

const ZId = z.string().min(1);
const ZPos = z.union([z.number(), z.string()]).optional();
const ZBoard = z.object({
  name: z.string().optional(),
  lists: z.array(
    z.object({ id: ZId, name: z.string(), closed: z.boolean().optional(), pos: ZPos }).loose(),
  ),
  cards: z.array(
    z
      .object({
        id: ZId,
        name: z.string(),
        desc: z.string().nullish(),
        closed: z.boolean().optional(),
        idList: ZId,
        idLabels: z.array(z.string()).optional(),
        idMembers: z.array(z.string()).optional(),
        idChecklists: z.array(z.string()).optional(),
        due: z.string().nullish(),
        pos: ZPos,
        shortLink: z.string().optional(),
        dateLastActivity: z.string().optional(),
        attachments: z.array(z.object({ name: z.string().optional() }).loose()).optional(),
        badges: z.object({ attachments: z.number().optional() }).loose().optional(),
        customFieldItems: z.array(z.unknown()).optional(),
      })
      .loose(),
  ),
  labels: z
    .array(z.object({ id: ZId, name: z.string().nullish(), color: z.string().nullish() }).loose())
    .optional(),
  checklists: z
    .array(
      z
        .object({
          id: ZId,
          idCard: ZId,
          name: z.string().optional(),
          pos: ZPos,
          checkItems: z.array(
            z.object({ id: ZId, name: z.string(), state: z.string(), pos: ZPos }).loose(),
          ),
        })
        .loose(),
    )
    .optional(),
  members: z
    .array(
      z
        .object({
          id: ZId,
          fullName: z.string().nullish(),
          username: z.string().nullish(),
          email: z.string().nullish(),
        })
        .loose(),
    )
    .optional(),
  actions: z
    .array(
      z
        .object({
          type: z.string(),
          date: z.string().optional(),
          idMemberCreator: z.string().optional(),
          memberCreator: z
            .object({ fullName: z.string().nullish(), username: z.string().nullish() })
            .loose()
            .optional(),
          data: z
            .object({
              text: z.string().optional(),
              card: z.object({ id: z.string() }).loose().optional(),
            })
            .loose()
            .optional(),
        })
        .loose(),
    )
    .optional(),
});
export type TTrelloBoard = z.input<typeof ZBoard>;

/** Whether parsed JSON looks like a Trello board export (for format detection). */
export const looksLikeTrello = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as { lists?: unknown }).lists) &&
  Array.isArray((v as { cards?: unknown }).cards);

// Trello's label colours (and their _light/_dark variants) as #rrggbb.
const COLORS: Record<string, string> = {
  green: '#4bce97',
  yellow: '#f5cd47',
  orange: '#fea362',
  red: '#f87168',
  purple: '#9f8fef',
  blue: '#579dff',
  sky: '#6cc3e0',
  lime: '#94c748',
  pink: '#e774bb',
  black: '#8590a2',
};
const colorOf = (c: string | null | undefined) =>
  c ? COLORS[c.replace(/_(light|dark)$/, '')] : undefined;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const byPos = <T extends { pos?: number | string | undefined }>(a: T, b: T) =>
  Number(a.pos ?? 0) - Number(b.pos ?? 0);
const quote = (s: string) => `"${s.length > 60 ? `${s.slice(0, 57)}...` : s}"`;

export interface TrelloOptions {
  /** Checklist items as subtasks (default) or as a task list appended to the description. */
  checklists: 'subtasks' | 'description';
}

export function readTrello(
  json: unknown,
  opts: TrelloOptions = { checklists: 'subtasks' },
): Source {
  const r = ZBoard.safeParse(json);
  if (!r.success)
    throw badRequest(
      'Not a Trello board export',
      r.error.issues.slice(0, 10).map((i) => ({
        path: ['body', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  const b = r.data;
  const unmapped: Unmapped[] = [];

  const lists = [...b.lists].sort(byPos);
  const openLists = new Map(lists.filter((l) => !l.closed).map((l) => [l.id, l]));
  for (const l of lists)
    if (l.closed)
      unmapped.push({
        where: `list ${quote(l.name)}`,
        reason: 'archived list; its cards are not imported',
      });

  const labelName = new Map<string, string>();
  const labels: Source['labels'] = [];
  for (const l of b.labels ?? []) {
    const name = l.name?.trim() || (l.color ? cap(l.color.replace(/_/g, ' ')) : '');
    if (!name) continue;
    labelName.set(l.id, name);
    if (!labels.some((x) => x.name.toLowerCase() === name.toLowerCase()))
      labels.push({ name, color: colorOf(l.color) });
  }

  const people = (b.members ?? []).map((m) => ({
    key: m.id,
    email: m.email ?? undefined,
    name: m.fullName ?? undefined,
    username: m.username ?? undefined,
  }));
  const known = new Set(people.map((p) => p.key));

  const comments = new Map<string, SourceComment[]>();
  for (const a of b.actions ?? []) {
    if (a.type !== 'commentCard' || !a.data?.card?.id || !a.data.text) continue;
    const author = a.idMemberCreator ?? null;
    if (author && !known.has(author)) {
      people.push({
        key: author,
        email: undefined,
        name: a.memberCreator?.fullName ?? undefined,
        username: a.memberCreator?.username ?? undefined,
      });
      known.add(author);
    }
    const list = comments.get(a.data.card.id) ?? [];
    list.push({
      author,
      authorName: a.memberCreator?.fullName ?? a.memberCreator?.username ?? 'Trello user',
      body: a.data.text,
      createdAt: a.date ?? null,
    });
    comments.set(a.data.card.id, list);
  }

  const checklistsOf = new Map<string, NonNullable<typeof b.checklists>>();
  for (const c of b.checklists ?? [])
    checklistsOf.set(c.idCard, [...(checklistsOf.get(c.idCard) ?? []), c]);

  const tasks: SourceTask[] = [];
  const listOrder = new Map(lists.map((l, i) => [l.id, i]));
  const cards = [...b.cards].sort(
    (x, y) => (listOrder.get(x.idList) ?? 0) - (listOrder.get(y.idList) ?? 0) || byPos(x, y),
  );
  for (const c of cards) {
    const where = `card ${quote(c.name)}`;
    const list = openLists.get(c.idList);
    if (c.closed) {
      unmapped.push({ where, reason: 'archived card; not imported' });
      continue;
    }
    if (!list) {
      if (!lists.some((l) => l.id === c.idList))
        unmapped.push({ where, reason: 'its list is not in the file; not imported' });
      continue;
    }
    const attachments = c.attachments?.length ?? c.badges?.attachments ?? 0;
    if (attachments > 0)
      unmapped.push({
        where,
        field: 'attachments',
        reason: `${attachments} attachment${attachments > 1 ? 's are' : ' is'} not imported (download from Trello)`,
      });
    if (c.customFieldItems?.length)
      unmapped.push({ where, field: 'customFields', reason: 'custom fields are not imported' });
    const missingLabels = (c.idLabels ?? []).filter((id) => !labelName.has(id));
    if (missingLabels.length)
      unmapped.push({
        where,
        field: 'labels',
        reason: `${missingLabels.length} label(s) not in the file's label list`,
      });

    let description = c.desc ?? '';
    const checklists = [...(checklistsOf.get(c.id) ?? [])].sort(byPos);
    const subtasks: SourceTask[] = [];
    for (const cl of checklists) {
      const items = [...cl.checkItems].sort(byPos);
      if (opts.checklists === 'description') {
        const lines = items.map((i) => `- [${i.state === 'complete' ? 'x' : ' '}] ${i.name}`);
        description += `${description ? '\n\n' : ''}**${cl.name ?? 'Checklist'}**\n\n${lines.join('\n')}`;
        continue;
      }
      for (const i of items)
        subtasks.push({
          ref: `${c.id}/${i.id}`,
          where: `${where}, checklist item ${quote(i.name)}`,
          title: i.name,
          description: cl.name && cl.name !== 'Checklist' ? `From the checklist "${cl.name}".` : '',
          state: i.state === 'complete' ? null : list.name,
          stateCategory: i.state === 'complete' ? 'completed' : undefined,
          priority: null,
          assignees: [],
          labels: [],
          dueDate: null,
          estimate: null,
          parent: c.id,
          comments: [],
          createdAt: null,
        });
    }
    tasks.push({
      ref: c.id,
      where,
      title: c.name,
      description,
      state: list.name,
      priority: null,
      assignees: (c.idMembers ?? []).map((id) => {
        if (!known.has(id)) {
          people.push({ key: id, email: undefined, name: undefined, username: id });
          known.add(id);
        }
        return id;
      }),
      labels: (c.idLabels ?? []).flatMap((id) => labelName.get(id) ?? []),
      dueDate: c.due ?? null,
      estimate: null,
      parent: null,
      comments: (comments.get(c.id) ?? []).sort((x, y) =>
        (x.createdAt ?? '').localeCompare(y.createdAt ?? ''),
      ),
      createdAt: null,
    });
    tasks.push(...subtasks);
  }
  return {
    format: 'trello',
    states: [...openLists.values()].map((l) => ({ name: l.name })),
    labels,
    people,
    tasks,
    unmapped,
  };
}

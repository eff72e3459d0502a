// This app's own JSON export (see export.ts, `format: "pms-export"`) → Source. Pure. People are
// referred to by e-mail, tasks by their key in the source project, states and labels by name.
import { z } from 'zod';
import { badRequest } from '../platform/errors.ts';
import type { Source, SourceTask, TStateCategory } from './source.ts';

export const EXPORT_FORMAT = 'pms-export';
export const EXPORT_VERSION = 1;

const ZCategory = z.enum(['backlog', 'unstarted', 'started', 'completed', 'cancelled']);
const ZExport = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  project: z.object({ key: z.string(), name: z.string() }).loose(),
  states: z.array(
    z.object({ name: z.string(), category: ZCategory, color: z.string().optional() }).loose(),
  ),
  labels: z.array(z.object({ name: z.string(), color: z.string().optional() }).loose()),
  members: z.array(
    z
      .object({
        email: z.string(),
        name: z.string().optional(),
        role: z.enum(['owner', 'admin', 'member', 'viewer']).optional(),
      })
      .loose(),
  ),
  tasks: z.array(
    z
      .object({
        key: z.string(),
        title: z.string(),
        description: z.string().default(''),
        state: z.string().nullish(),
        priority: z.string().nullish(),
        assignees: z.array(z.string()).default([]),
        labels: z.array(z.string()).default([]),
        dueDate: z.string().nullish(),
        estimate: z.number().nullish(),
        parent: z.string().nullish(),
        rank: z.string().nullish(),
        createdAt: z.string().nullish(),
        comments: z
          .array(
            z
              .object({
                author: z.string().nullish(),
                authorName: z.string().optional(),
                body: z.string(),
                createdAt: z.string().nullish(),
              })
              .loose(),
          )
          .default([]),
        attachments: z
          .array(z.object({ filename: z.string(), downloadPath: z.string().optional() }).loose())
          .default([]),
      })
      .loose(),
  ),
});
export type TExportTask = z.input<typeof ZExport>['tasks'][number];

export const looksLikePmsExport = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && (v as { format?: unknown }).format === EXPORT_FORMAT;

export function readPmsJson(json: unknown): Source {
  const r = ZExport.safeParse(json);
  if (!r.success)
    throw badRequest(
      'Not a PMS export (version 1)',
      r.error.issues.slice(0, 10).map((i) => ({
        path: ['body', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  const x = r.data;
  const people = new Map<string, Source['people'][number]>();
  for (const m of x.members)
    people.set(m.email.toLowerCase(), {
      key: m.email.toLowerCase(),
      email: m.email,
      name: m.name,
      role: m.role,
    });
  const person = (email: string) => {
    const key = email.toLowerCase();
    if (!people.has(key)) people.set(key, { key, email });
    return key;
  };
  const unmapped: Source['unmapped'] = [];
  const tasks: SourceTask[] = x.tasks.map((t) => {
    const where = `task ${t.key}`;
    if (t.attachments.length)
      unmapped.push({
        where,
        field: 'attachments',
        reason: `${t.attachments.length} attachment${t.attachments.length > 1 ? 's are' : ' is'} not copied (the export lists their download paths: ${t.attachments.map((a) => a.filename).join(', ')})`,
      });
    return {
      ref: t.key,
      where,
      title: t.title,
      description: t.description,
      state: t.state ?? null,
      priority: t.priority ?? null,
      assignees: t.assignees.map(person),
      labels: t.labels,
      dueDate: t.dueDate ?? null,
      estimate: t.estimate ?? null,
      parent: t.parent ?? null,
      comments: t.comments.map((c) => ({
        author: c.author ? person(c.author) : null,
        authorName: c.authorName ?? c.author ?? '',
        body: c.body,
        createdAt: c.createdAt ?? null,
      })),
      createdAt: t.createdAt ?? null,
      rank: t.rank ?? null,
    };
  });
  return {
    format: 'pms-json',
    states: x.states.map((s) => ({
      name: s.name,
      category: s.category as TStateCategory,
      color: s.color,
    })),
    labels: x.labels.map((l) => ({ name: l.name, color: l.color })),
    people: [...people.values()],
    tasks,
    unmapped,
  };
}

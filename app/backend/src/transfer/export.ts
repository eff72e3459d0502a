// Export of a whole project, streamed page by page (memory stays bounded however large the
// project is): JSON with everything (`format: "pms-export"`, read back by pms-json.ts) or CSV of
// the tasks (csv-tasks.ts columns, formula-guarded cells, UTF-8 BOM so spreadsheets pick the
// encoding). People appear by e-mail, states and labels by name, parents by task key.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Activity, toActivity, type TActivityDoc } from '../activity/model.ts';
import { Attachment, type TAttachmentDoc } from '../attachments/model.ts';
import { Comment, type TCommentDoc } from '../comments/model.ts';
import type { ProjectAccess } from '../projects/access.ts';
import { Label, State, type TStateDoc } from '../projects/model.ts';
import { listMembers } from '../projects/service.ts';
import { Task, type TTaskDoc } from '../tasks/model.ts';
import { User } from '../users/model.ts';
import { csvLine } from './csv.ts';
import { EXPORT_COLUMNS, LIST_SEPARATOR } from './csv-tasks.ts';
import { EXPORT_FORMAT, EXPORT_VERSION } from './pms-json.ts';

const PAGE = 500;

/** Writes with back-pressure: waits for `drain` when the socket buffer is full. */
async function put(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

interface Lookups {
  states: Map<string, string>;
  labels: Map<string, string>;
  emails: Map<string, string>;
  keys: Map<string, string>;
}

async function lookups(projectId: string): Promise<Lookups & { stateDocs: TStateDoc[] }> {
  const stateDocs = await State.find({ projectId })
    .sort({ position: 1, _id: 1 })
    .lean<TStateDoc[]>();
  const labels = await Label.find({ projectId }).sort({ name: 1 }).lean();
  return {
    stateDocs,
    states: new Map(stateDocs.map((s) => [String(s._id), s.name])),
    labels: new Map(labels.map((l) => [String(l._id), l.name])),
    emails: new Map(),
    keys: new Map(),
  };
}

/** Tasks in number order, a page at a time, with the e-mails of everyone they mention. */
async function* taskPages(projectId: string, key: string, lk: Lookups) {
  let after = 0;
  for (;;) {
    const page = await Task.find({ projectId, number: { $gt: after } })
      .sort({ number: 1 })
      .limit(PAGE)
      .lean<TTaskDoc[]>();
    if (page.length === 0) return;
    after = page[page.length - 1]?.number ?? after;
    for (const t of page) lk.keys.set(String(t._id), `${key}-${t.number}`);
    const parents = page.flatMap((t) =>
      t.parentId && !lk.keys.has(String(t.parentId)) ? [t.parentId] : [],
    );
    if (parents.length)
      for (const p of await Task.find({ _id: { $in: parents } }, { number: 1 }).lean())
        lk.keys.set(String(p._id), `${key}-${p.number}`);
    const comments = await Comment.find({ taskId: { $in: page.map((t) => t._id) } })
      .sort({ _id: 1 })
      .lean<TCommentDoc[]>();
    const attachments = await Attachment.find({
      taskId: { $in: page.map((t) => t._id) },
      status: 'ready',
    })
      .sort({ createdAt: 1 })
      .lean<TAttachmentDoc[]>();
    const people = new Set<string>();
    for (const t of page) {
      people.add(String(t.createdBy));
      for (const a of t.assigneeIds) people.add(String(a));
    }
    for (const c of comments) people.add(String(c.authorId));
    const unknown = [...people].filter((id) => !lk.emails.has(id));
    if (unknown.length)
      for (const u of await User.find({ _id: { $in: unknown } }, { email: 1 }).lean())
        lk.emails.set(String(u._id), u.email);
    yield { page, comments, attachments };
  }
}

export interface ExportOptions {
  activity: boolean;
  /** `/api/v1`: attachment download paths are given relative to the server. */
  apiPrefix: string;
}

export async function exportJson(a: ProjectAccess, out: Writable, opts: ExportOptions) {
  const pid = a.projectId;
  const key = a.project.key;
  const lk = await lookups(pid);
  const members = await listMembers(pid);
  for (const m of members) lk.emails.set(m.userId, m.email);
  const head = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    project: {
      key,
      name: a.project.name,
      description: a.project.description,
      archived: a.project.archived,
      createdAt: a.project.createdAt,
    },
    states: lk.stateDocs.map((s) => ({
      name: s.name,
      category: s.category,
      color: s.color,
      position: s.position,
    })),
    labels: [...(await Label.find({ projectId: pid }).sort({ name: 1 }).lean())].map((l) => ({
      name: l.name,
      color: l.color,
    })),
    members: members.map((m) => ({
      email: m.email,
      name: m.name,
      role: m.role,
      addedAt: m.addedAt,
    })),
  };
  const headJson = JSON.stringify(head);
  await put(out, `${headJson.slice(0, -1)},"tasks":[`);
  const email = (id: unknown) => lk.emails.get(String(id)) ?? null;
  let sep = '';
  for await (const { page, comments, attachments } of taskPages(pid, key, lk)) {
    for (const t of page) {
      const tid = String(t._id);
      const task = {
        key: `${key}-${t.number}`,
        number: t.number,
        title: t.title,
        description: t.description,
        state: lk.states.get(String(t.stateId)) ?? null,
        priority: t.priority,
        assignees: t.assigneeIds.flatMap((id) => email(id) ?? []),
        labels: t.labelIds.flatMap((id) => lk.labels.get(String(id)) ?? []),
        dueDate: t.dueDate ? t.dueDate.toISOString() : null,
        estimate: t.estimate ?? null,
        parent: t.parentId ? (lk.keys.get(String(t.parentId)) ?? null) : null,
        rank: t.rank,
        createdBy: email(t.createdBy),
        createdAt: t.createdAt,
        updatedAt: t.updatedAt,
        comments: comments
          .filter((c) => String(c.taskId) === tid)
          .map((c) => ({
            author: email(c.authorId),
            authorName: c.authorName,
            body: c.body,
            createdAt: c.createdAt,
            updatedAt: c.updatedAt,
          })),
        attachments: attachments
          .filter((x) => String(x.taskId) === tid)
          .map((x) => ({
            id: String(x._id),
            filename: x.filename,
            contentType: x.contentType,
            size: x.size,
            createdAt: x.createdAt,
            downloadPath: `${opts.apiPrefix}/projects/${key}/attachments/${String(x._id)}/download`,
          })),
      };
      await put(out, sep + JSON.stringify(task));
      sep = ',';
    }
  }
  await put(out, ']');
  if (opts.activity) {
    await put(out, ',"activity":[');
    let cursor: unknown = null;
    sep = '';
    for (;;) {
      const q: Record<string, unknown> = { projectId: pid };
      if (cursor) q._id = { $gt: cursor };
      const rows = await Activity.find(q).sort({ _id: 1 }).limit(PAGE).lean<TActivityDoc[]>();
      if (rows.length === 0) break;
      cursor = rows[rows.length - 1]?._id;
      for (const r of rows) {
        const v = toActivity(r);
        await put(
          out,
          sep +
            JSON.stringify({
              task: v.taskId ? (lk.keys.get(v.taskId) ?? null) : null,
              actor: email(v.actorId) ?? v.actorName,
              action: v.action,
              changes: v.changes,
              createdAt: v.createdAt,
            }),
        );
        sep = ',';
      }
    }
    await put(out, ']');
  }
  await put(out, '}\n');
}

export async function exportCsv(a: ProjectAccess, out: Writable) {
  const pid = a.projectId;
  const key = a.project.key;
  const lk = await lookups(pid);
  for (const m of await listMembers(pid)) lk.emails.set(m.userId, m.email);
  await put(out, `\uFEFF${csvLine([...EXPORT_COLUMNS])}`);
  const email = (id: unknown) => lk.emails.get(String(id)) ?? '';
  for await (const { page } of taskPages(pid, key, lk)) {
    let chunk = '';
    for (const t of page)
      chunk += csvLine([
        `${key}-${t.number}`,
        t.title,
        t.description,
        lk.states.get(String(t.stateId)) ?? '',
        t.priority,
        t.assigneeIds.map(email).filter(Boolean).join(LIST_SEPARATOR),
        t.labelIds.flatMap((id) => lk.labels.get(String(id)) ?? []).join(LIST_SEPARATOR),
        t.dueDate ? t.dueDate.toISOString().replace('T00:00:00.000Z', '') : '',
        t.estimate ?? '',
        t.parentId ? (lk.keys.get(String(t.parentId)) ?? '') : '',
        email(t.createdBy),
        t.createdAt ? new Date(t.createdAt).toISOString() : '',
        t.updatedAt ? new Date(t.updatedAt).toISOString() : '',
      ]);
    await put(out, chunk);
  }
}

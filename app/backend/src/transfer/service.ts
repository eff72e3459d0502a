// Import: preview (read + plan + store the file, nothing created) and apply (claim, re-plan
// against the project as it is now, create states, labels, members, tasks, comments, record
// activity). No transactions on FerretDB v1: an apply that fails midway is marked failed and
// keeps what it created (the result says so); it is never re-run by a second submit.
import mongoose from 'mongoose';
import { Activity } from '../activity/model.ts';
import { record } from '../activity/service.ts';
import { Comment } from '../comments/model.ts';
import type { Deps } from '../deps.ts';
import type { Principal } from '../platform/auth.ts';
import { AppError, conflict, isDuplicateKey, notFound } from '../platform/errors.ts';
import type { ProjectAccess } from '../projects/access.ts';
import { Counter, Label, Membership, State, type TStateDoc } from '../projects/model.ts';
import { createState, listMembers, nextTaskNumber } from '../projects/service.ts';
import { Task } from '../tasks/model.ts';
import { rankBetween } from '../tasks/rank.ts';
import { cacheNs } from '../projects/access.ts';
import { PRIORITY_ORDER } from '../tasks/service.ts';
import { reindexTasks } from '../search/indexer.ts';
import { User } from '../users/model.ts';
import { ImportClaim, ImportJob, type TImportDoc } from './model.ts';
import { buildPlan, planCounts, stateKey, type Plan, type Target } from './plan.ts';
import { readSource, type ReadOptions } from './read.ts';
import type { Source, TImportFormat } from './source.ts';

/** An unapplied preview is kept this long; applying it later means uploading again. */
export const PREVIEW_TTL_MS = 24 * 3600 * 1000;
const SAMPLE_SIZE = 10;
const REPORT_MAX = 500;

export interface ImportCtx {
  deps: Deps;
  access: ProjectAccess;
  user: Principal;
}

export function tooManyRows(count: number, max: number): AppError {
  return new AppError(
    'payload_too_large',
    `The file has ${count} tasks; one import creates at most ${max} (IMPORT_MAX_ROWS)`,
    { details: [{ path: 'body', message: `more than ${max} tasks` }] },
  );
}

async function loadTarget(projectId: string, src: Source): Promise<Target> {
  const states = await State.find({ projectId }).sort({ position: 1, _id: 1 }).lean<TStateDoc[]>();
  const labels = await Label.find({ projectId }).lean();
  const members = await listMembers(projectId);
  const emails = [
    ...new Set(src.people.flatMap((p) => (p.email ? [p.email.trim().toLowerCase()] : []))),
  ];
  // Users are stored with lower-cased e-mails (users/model.ts).
  const users = emails.length
    ? await User.find({ email: { $in: emails }, disabled: { $ne: true } }).lean()
    : [];
  return {
    states: states.map((s) => ({ id: String(s._id), name: s.name, category: s.category })),
    labels: labels.map((l) => ({ id: String(l._id), name: l.name })),
    members: members.map((m) => ({ userId: m.userId, email: m.email, name: m.name })),
    users: users.map((u) => ({ id: String(u._id), email: u.email, name: u.name })),
  };
}

function readChecked(ctx: ImportCtx, bytes: Uint8Array, opts: ReadOptions): Source {
  const src = readSource(bytes, opts);
  const max = ctx.deps.config.IMPORT_MAX_ROWS;
  if (src.tasks.length > max) throw tooManyRows(src.tasks.length, max);
  return src;
}

function summary(plan: Plan) {
  return {
    counts: planCounts(plan),
    create: {
      states: plan.states,
      labels: plan.labels,
      members: plan.members.map((m) => ({ email: m.email, name: m.name, role: m.role })),
    },
    sample: plan.tasks.slice(0, SAMPLE_SIZE).map((t) => ({
      where: t.where,
      title: t.title,
      state: t.state,
      priority: t.priority,
      labels: t.labels,
      assignees: t.assigneeIds.length,
      parent: t.parent,
      comments: t.comments.length,
    })),
    unmapped: plan.unmapped.slice(0, REPORT_MAX),
    unmappedTotal: plan.unmapped.length,
  };
}

export async function previewImport(ctx: ImportCtx, bytes: Uint8Array, opts: ReadOptions) {
  const src = readChecked(ctx, bytes, opts);
  const plan = buildPlan(src, await loadTarget(ctx.access.projectId, src));
  const pid = ctx.access.projectId;
  // Housekeeping without a TTL index (FerretDB v1 has none): old unapplied previews go.
  await ImportJob.deleteMany({
    projectId: pid,
    status: 'previewed',
    createdAt: { $lt: new Date(Date.now() - PREVIEW_TTL_MS) },
  });
  const job = await ImportJob.create({
    projectId: pid,
    createdBy: ctx.user.userId,
    format: src.format,
    options: { mapping: opts.mapping ?? null, checklists: opts.checklists ?? null },
    source: Buffer.from(bytes).toString('utf8'),
    size: bytes.byteLength,
  });
  return {
    importId: String(job._id),
    status: 'previewed' as const,
    format: src.format,
    ...(src.columns ? { columns: src.columns, mapping: src.mapping ?? {} } : {}),
    ...summary(plan),
    expiresAt: new Date(job.createdAt.getTime() + PREVIEW_TTL_MS).toISOString(),
  };
}

const view = (j: TImportDoc) => ({
  importId: String(j._id),
  status: j.status,
  format: j.format,
  size: j.size,
  createdAt: j.createdAt,
  appliedAt: j.appliedAt,
  result: j.result,
  error: j.error,
});

export async function getImport(ctx: ImportCtx, id: string) {
  const j = await ImportJob.findOne({
    _id: id,
    projectId: ctx.access.projectId,
  }).lean<TImportDoc>();
  if (!j) throw notFound('Import');
  return view(j);
}

/**
 * Applies a previewed import once. A second submit of the same import id returns the first
 * one's result (or 409 while it is still running).
 */
export async function applyImport(ctx: ImportCtx, id: string) {
  const pid = ctx.access.projectId;
  const find = () => ImportJob.findOne({ _id: id, projectId: pid }).lean<TImportDoc>();
  const job = await find();
  if (!job) throw notFound('Import');
  if (job.status !== 'previewed') return settled(job);
  if (job.createdAt.getTime() < Date.now() - PREVIEW_TTL_MS)
    throw conflict('This preview has expired; upload the file again');
  try {
    await ImportClaim.create({ _id: id, at: new Date() });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const again = await find();
    if (!again) throw notFound('Import');
    return settled(again);
  }
  await ImportJob.updateOne({ _id: id }, { $set: { status: 'applying' } });
  try {
    const opts: ReadOptions = {
      format: job.format as TImportFormat,
      mapping: (job.options as ReadOptions).mapping ?? undefined,
      checklists: (job.options as ReadOptions).checklists ?? undefined,
    };
    const src = readChecked(ctx, Buffer.from(job.source ?? '', 'utf8'), opts);
    const plan = buildPlan(src, await loadTarget(pid, src));
    const created = await execute(ctx, id, plan);
    const result = { ...created, unmapped: plan.unmapped.length };
    await ImportJob.updateOne(
      { _id: id },
      { $set: { status: 'applied', result, appliedAt: new Date(), source: null } },
    );
    // Live boards reload on any task.* event; webhooks subscribed to `*` get it.
    await record(ctx.deps, ctx.user, pid, null, 'task.imported', [
      { field: 'import', from: null, to: id },
      { field: 'format', from: null, to: job.format },
      { field: 'tasks', from: null, to: created.tasks },
    ]);
    return { importId: id, status: 'applied' as const, result };
  } catch (err) {
    await ImportJob.updateOne(
      { _id: id },
      { $set: { status: 'failed', error: (err as Error).message ?? String(err) } },
    );
    throw err;
  } finally {
    await ctx.deps.cache.bump(cacheNs(pid));
  }
}

function settled(job: TImportDoc) {
  if (job.status === 'applied')
    return { importId: String(job._id), status: 'applied' as const, result: job.result };
  if (job.status === 'failed')
    throw conflict(`This import failed earlier (${job.error ?? 'unknown error'}); upload it again`);
  throw conflict('This import is being applied right now');
}

const CHUNK = 500;
/** Imports of at most this many tasks publish one task.created per task (see execute). */
export const PUBLISH_EACH_MAX = 100;

async function execute(ctx: ImportCtx, importId: string, plan: Plan) {
  const pid = ctx.access.projectId;
  const { deps, user } = ctx;

  // States and labels by (case-insensitive) name: the existing ones plus the planned ones.
  const stateIds = new Map<string, string>();
  for (const s of await State.find({ projectId: pid }).lean())
    stateIds.set(stateKey(s.name), String(s._id));
  for (const s of plan.states)
    if (!stateIds.has(stateKey(s.name)))
      stateIds.set(stateKey(s.name), (await createState(pid, s)).id);
  const labelIds = new Map<string, string>();
  for (const l of await Label.find({ projectId: pid }).lean())
    labelIds.set(l.name.toLowerCase(), String(l._id));
  let labelsCreated = 0;
  for (const l of plan.labels) {
    if (labelIds.has(l.name.toLowerCase())) continue;
    try {
      const doc = await Label.create({ projectId: pid, name: l.name, color: l.color });
      labelIds.set(l.name.toLowerCase(), String(doc._id));
      labelsCreated++;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const doc = await Label.findOne({ projectId: pid, name: l.name }).lean();
      if (doc) labelIds.set(l.name.toLowerCase(), String(doc._id));
    }
  }

  let membersAdded = 0;
  for (const m of plan.members) {
    try {
      await Membership.create({ projectId: pid, userId: m.userId, role: m.role });
    } catch (err) {
      if (isDuplicateKey(err)) continue;
      throw err;
    }
    membersAdded++;
    await record(deps, user, pid, null, 'member.added', [
      { field: 'member', from: null, to: `${m.email} (${m.role})` },
    ]);
  }

  // Tasks: ids first (parents refer to them), numbers reserved as one block, ranks appended
  // after each column's current last card in file order.
  const ids = new Map(plan.tasks.map((t) => [t.ref, new mongoose.Types.ObjectId()]));
  const last = new Map<string, string | null>();
  const rankIn = async (stateId: string) => {
    if (!last.has(stateId)) {
      const l = await Task.findOne({ projectId: pid, stateId }, { rank: 1 })
        .sort({ rank: -1, _id: -1 })
        .lean();
      last.set(stateId, l?.rank ?? null);
    }
    const r = rankBetween(last.get(stateId) ?? null, null);
    last.set(stateId, r);
    return r;
  };
  const n = plan.tasks.length;
  const first =
    n === 0
      ? 0
      : ((
          await Counter.findOneAndUpdate(
            { _id: `task:${pid}` },
            { $inc: { seq: n } },
            { upsert: true, new: true },
          ).lean()
        )?.seq ?? n) -
        n +
        1;
  const stateOf = (t: Plan['tasks'][number]) => {
    const s = stateIds.get(stateKey(t.state));
    if (!s) throw new Error(`state ${t.state} missing after creation`);
    return s;
  };
  // Column order: the source's ranks where it has them (this app's export), else file order.
  const ranks = new Map<string, string>();
  const order = plan.tasks
    .map((t, i) => ({ t, i }))
    .sort((x, y) => {
      const a = x.t.rank ?? '';
      const b = y.t.rank ?? '';
      return a === b ? x.i - y.i : a < b ? -1 : 1;
    });
  for (const { t } of order) ranks.set(t.ref, await rankIn(stateOf(t)));
  const docs = [];
  for (const [i, t] of plan.tasks.entries()) {
    const stateId = stateOf(t);
    docs.push({
      _id: ids.get(t.ref),
      projectId: pid,
      number: first + i,
      title: t.title,
      description: t.description,
      stateId,
      priority: t.priority,
      priorityOrder: PRIORITY_ORDER[t.priority],
      assigneeIds: t.assigneeIds,
      labelIds: t.labels.flatMap((l) => labelIds.get(l.toLowerCase()) ?? []),
      dueDate: t.dueDate ? new Date(t.dueDate) : null,
      estimate: t.estimate,
      parentId: t.parent ? ids.get(t.parent) : null,
      rank: ranks.get(t.ref),
      createdBy: user.userId,
      version: 0,
      ...(t.createdAt ? { createdAt: new Date(t.createdAt) } : {}),
    });
  }
  for (let i = 0; i < docs.length; i += CHUNK) {
    const chunk = docs.slice(i, i + CHUNK);
    try {
      await Task.insertMany(chunk, { ordered: false });
    } catch (err) {
      // A number taken meanwhile (FerretDB v1 does not isolate $inc): those tasks take the next
      // free numbers one by one, as createTask does.
      const have = new Set(
        (await Task.find({ _id: { $in: chunk.map((d) => d._id) } }, { _id: 1 }).lean()).map((d) =>
          String(d._id),
        ),
      );
      const missing = chunk.filter((d) => !have.has(String(d._id)));
      if (missing.length === 0) throw err;
      for (const d of missing)
        for (let attempt = 0; ; attempt++) {
          try {
            await Task.create({ ...d, number: await nextTaskNumber(pid) });
            break;
          } catch (e) {
            if (!isDuplicateKey(e) || attempt >= 20) throw e;
          }
        }
    }
  }

  const comments = plan.tasks.flatMap((t) =>
    t.comments.map((c) => ({
      projectId: pid,
      taskId: ids.get(t.ref),
      authorId: c.authorId ?? user.userId,
      authorName: c.authorId ? c.authorName : c.authorName || user.name,
      body: c.body,
      mentions: [],
      ...(c.createdAt ? { createdAt: new Date(c.createdAt) } : {}),
    })),
  );
  for (let i = 0; i < comments.length; i += CHUNK)
    await Comment.insertMany(comments.slice(i, i + CHUNK), { ordered: true });

  // Small imports: one task.created per task, as the API records them, so live boards and
  // webhooks hear of every card. Large ones: the same history entries are written in bulk
  // without being published (thousands of webhook deliveries and board refreshes help nobody;
  // one record() per task also took minutes for 2,000 tasks on FerretDB), and the search index
  // is rebuilt for them in batches. Either way applyImport then records one `task.imported`.
  // No assignment e-mails: an import is not N people assigning work.
  if (n <= PUBLISH_EACH_MAX) {
    for (const t of plan.tasks)
      await record(deps, user, pid, String(ids.get(t.ref)), 'task.created', [
        { field: 'title', from: null, to: t.title },
        { field: 'import', from: null, to: importId },
      ]);
  } else {
    const entries = plan.tasks.map((t) => ({
      projectId: pid,
      taskId: ids.get(t.ref),
      actorId: user.userId,
      actorName: user.name,
      action: 'task.created',
      changes: [
        { field: 'title', from: null, to: t.title },
        { field: 'import', from: null, to: importId },
      ],
    }));
    for (let i = 0; i < entries.length; i += CHUNK)
      await Activity.insertMany(entries.slice(i, i + CHUNK), { ordered: true });
    await reindexTasks([...ids.values()]);
  }
  return {
    tasks: n,
    subtasks: plan.tasks.filter((t) => t.parent !== null).length,
    comments: comments.length,
    states: plan.states.length,
    labels: labelsCreated,
    members: membersAdded,
    firstNumber: n ? first : null,
    lastNumber: n ? first + n - 1 : null,
  };
}

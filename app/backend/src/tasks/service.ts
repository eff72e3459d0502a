import { createHash } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { Comment } from '../comments/model.ts';
import { diff, record } from '../activity/service.ts';
import type { Principal } from '../platform/auth.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import type { ProjectAccess } from '../projects/access.ts';
import { Label, Membership, State, toState, type TStateDoc } from '../projects/model.ts';
import { nextTaskNumber } from '../projects/service.ts';
import { notify } from '../notifications/service.ts';
import { Task, toTask, type TPriority, type TTask, type TTaskDoc } from './model.ts';
import {
  afterCursor,
  decodeCursor,
  encodeCursor,
  escapeRegex,
  parseTaskNumber,
  sortSpec,
  SORTS,
  type TSortKey,
} from './query.ts';
import { rankBetween, spreadRanks } from './rank.ts';
import type { TCreateTask, TTaskFilter, TUpdateTask } from './schemas.ts';

export const PRIORITY_ORDER: Record<TPriority, number> = {
  none: 0,
  low: 1,
  medium: 2,
  high: 3,
  urgent: 4,
};

export interface TaskCtx {
  deps: Deps;
  access: ProjectAccess;
  user: Principal;
}

const key = (c: TaskCtx) => c.access.project.key;
const view = (c: TaskCtx, t: TTaskDoc): TTask => toTask(t, key(c));
export const cacheNs = (projectId: string) => `p:${projectId}`;

/** `ref` is a task id, its number (`42`) or its key (`WEB-42`, case-insensitive). */
export async function findTask(
  a: Pick<ProjectAccess, 'projectId' | 'project'>,
  ref: string,
): Promise<TTaskDoc> {
  const n = /^[a-f0-9]{24}$/.test(ref) ? null : parseTaskNumber(ref, a.project.key);
  if (n === null && !/^[a-f0-9]{24}$/.test(ref)) throw notFound('Task');
  const t =
    n !== null
      ? await Task.findOne({ projectId: a.projectId, number: n }).lean<TTaskDoc>()
      : await Task.findOne({ projectId: a.projectId, _id: ref }).lean<TTaskDoc>();
  if (!t) throw notFound('Task');
  return t;
}

async function checkRefs(c: TaskCtx, input: Partial<TUpdateTask>, selfId?: string): Promise<void> {
  const pid = c.access.projectId;
  const bad: { path: string; message: string }[] = [];
  if (input.stateId && !(await State.exists({ _id: input.stateId, projectId: pid })))
    bad.push({ path: 'body.stateId', message: 'is not a state of this project' });
  if (input.labelIds?.length) {
    const n = await Label.countDocuments({
      projectId: pid,
      _id: { $in: [...new Set(input.labelIds)] },
    });
    if (n !== new Set(input.labelIds).size)
      bad.push({ path: 'body.labelIds', message: 'contains a label of another project' });
  }
  if (input.assigneeIds?.length) {
    const n = await Membership.countDocuments({
      projectId: pid,
      userId: { $in: [...new Set(input.assigneeIds)] },
    });
    if (n !== new Set(input.assigneeIds).size)
      bad.push({
        path: 'body.assigneeIds',
        message: 'contains a user who is not a project member',
      });
  }
  if (input.parentId) {
    // Walk up the parent chain: the new parent must be in this project and not a descendant.
    let cur: string | null = input.parentId;
    for (let depth = 0; cur && depth < 50; depth++) {
      if (cur === selfId) {
        bad.push({ path: 'body.parentId', message: 'would create a cycle' });
        break;
      }
      const p: Pick<TTaskDoc, 'parentId'> | null = await Task.findOne(
        { _id: cur, projectId: pid },
        { parentId: 1 },
      ).lean();
      if (!p) {
        if (depth === 0)
          bad.push({ path: 'body.parentId', message: 'is not a task of this project' });
        break;
      }
      cur = p.parentId ? String(p.parentId) : null;
    }
  }
  if (bad.length > 0) throw badRequest('Invalid references', bad);
}

async function lastRank(
  projectId: string,
  stateId: string,
  exceptId?: unknown,
): Promise<string | null> {
  const q: Record<string, unknown> = { projectId, stateId };
  if (exceptId) q._id = { $ne: exceptId };
  const last = await Task.findOne(q, { rank: 1 }).sort({ rank: -1, _id: -1 }).lean();
  return last?.rank ?? null;
}

async function firstState(projectId: string): Promise<TStateDoc> {
  const s = await State.findOne({ projectId }).sort({ position: 1, _id: 1 }).lean<TStateDoc>();
  if (!s) throw badRequest('The project has no workflow states');
  return s;
}

export async function createTask(c: TaskCtx, input: TCreateTask): Promise<TTask> {
  await checkRefs(c, input);
  const pid = c.access.projectId;
  const stateId = input.stateId ?? String((await firstState(pid))._id);
  const fields = {
    ...input,
    assigneeIds: [...new Set(input.assigneeIds)],
    labelIds: [...new Set(input.labelIds)],
    projectId: pid,
    stateId,
    priorityOrder: PRIORITY_ORDER[input.priority],
    rank: rankBetween(await lastRank(pid, stateId), null),
    createdBy: c.user.userId,
  };
  // FerretDB v1 does not guarantee that concurrent $inc calls see each other; the unique
  // (projectId, number) index does, so a duplicate number just takes the next one.
  let doc;
  for (let attempt = 0; ; attempt++) {
    try {
      doc = await Task.create({ ...fields, number: await nextTaskNumber(pid) });
      break;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000 || attempt >= 20) throw err;
    }
  }
  const t = view(c, doc.toObject());
  await record(c.user, pid, t.id, 'task.created', [{ field: 'title', from: null, to: t.title }]);
  await c.deps.cache.bump(cacheNs(pid));
  await notifyAssigned(c, t, t.assigneeIds);
  return t;
}

async function notifyAssigned(c: TaskCtx, t: TTask, userIds: string[]) {
  await notify(
    { queue: c.deps.queue, logger: c.deps.logger, frontendUrl: c.deps.config.FRONTEND_URL },
    c.user,
    userIds,
    {
      type: 'assigned',
      projectId: t.projectId,
      taskId: t.id,
      taskKey: t.key,
      message: `${c.user.name} assigned you to ${t.key}: ${t.title}`,
    },
  );
}

export async function getTask(c: TaskCtx, ref: string): Promise<TTask> {
  return view(c, await findTask(c.access, ref));
}

export async function updateTask(c: TaskCtx, ref: string, patch: TUpdateTask): Promise<TTask> {
  const before = await findTask(c.access, ref);
  await checkRefs(c, patch, String(before._id));
  const set: Record<string, unknown> = { ...patch };
  if (patch.assigneeIds) set.assigneeIds = [...new Set(patch.assigneeIds)];
  if (patch.labelIds) set.labelIds = [...new Set(patch.labelIds)];
  if (patch.priority) set.priorityOrder = PRIORITY_ORDER[patch.priority];
  if (patch.stateId && patch.stateId !== String(before.stateId))
    set.rank = rankBetween(await lastRank(c.access.projectId, patch.stateId, before._id), null);
  const changes = diff(before as unknown as Record<string, unknown>, { ...patch });
  if (changes.length === 0) return view(c, before);
  const after = await Task.findByIdAndUpdate(
    before._id,
    { $set: set },
    { new: true },
  ).lean<TTaskDoc>();
  if (!after) throw notFound('Task');
  const t = view(c, after);
  await record(c.user, c.access.projectId, t.id, 'task.updated', changes);
  await c.deps.cache.bump(cacheNs(c.access.projectId));
  const old = new Set(before.assigneeIds.map(String));
  await notifyAssigned(
    c,
    t,
    t.assigneeIds.filter((id) => !old.has(id)),
  );
  return t;
}

/** Moves a task to `index` (0-based, among the other tasks) of column `stateId`. */
export async function moveTask(
  c: TaskCtx,
  ref: string,
  stateId: string,
  index?: number,
): Promise<TTask> {
  const pid = c.access.projectId;
  const task = await findTask(c.access, ref);
  await checkRefs(c, { stateId });
  const column = { projectId: pid, stateId, _id: { $ne: task._id } };
  let rank: string;
  if (index === undefined) {
    rank = rankBetween(await lastRank(pid, stateId, task._id), null);
  } else {
    const skip = Math.max(index - 1, 0);
    const around = await Task.find(column, { rank: 1 })
      .sort({ rank: 1, _id: 1 })
      .skip(skip)
      .limit(index === 0 ? 1 : 2)
      .lean();
    const prev = index === 0 ? null : (around[0]?.rank ?? null);
    const next = index === 0 ? (around[0]?.rank ?? null) : (around[1]?.rank ?? null);
    if (prev !== null && next !== null && prev >= next) {
      // Equal neighbours (concurrent appends): re-spread the whole column, then place.
      const all = await Task.find(column, { rank: 1 }).sort({ rank: 1, _id: 1 }).lean();
      const at = Math.min(index, all.length);
      const ranks = spreadRanks(all.length + 1);
      await Task.bulkWrite(
        all.map((t, i) => ({
          updateOne: {
            filter: { _id: t._id },
            update: { $set: { rank: ranks[i < at ? i : i + 1] } },
          },
        })),
      );
      rank = ranks[at] ?? rankBetween(null, null);
    } else {
      rank = rankBetween(prev, next);
    }
  }
  const after = await Task.findByIdAndUpdate(
    task._id,
    { $set: { stateId, rank } },
    { new: true },
  ).lean<TTaskDoc>();
  if (!after) throw notFound('Task');
  const changes = diff(task as unknown as Record<string, unknown>, {
    stateId: after.stateId,
    rank,
  });
  await record(c.user, pid, String(task._id), 'task.moved', changes);
  await c.deps.cache.bump(cacheNs(pid));
  return view(c, after);
}

export async function deleteTask(
  c: TaskCtx,
  ref: string,
  removeAttachments: (taskIds: string[]) => Promise<void>,
): Promise<void> {
  const pid = c.access.projectId;
  const t = await findTask(c.access, ref);
  await removeAttachments([String(t._id)]);
  await Comment.deleteMany({ taskId: t._id });
  await Task.updateMany({ parentId: t._id }, { $set: { parentId: null } });
  await Task.deleteOne({ _id: t._id });
  await record(c.user, pid, String(t._id), 'task.deleted', [
    { field: 'title', from: t.title, to: null },
  ]);
  await c.deps.cache.bump(cacheNs(pid));
}

function buildFilter(c: TaskCtx, f: TTaskFilter): Record<string, unknown> {
  const and: Record<string, unknown>[] = [{ projectId: c.access.projectId }];
  if (f.state?.length) and.push({ stateId: { $in: f.state } });
  if (f.assignee?.length) {
    const ids = f.assignee.filter((a) => a !== 'none').map((a) => (a === 'me' ? c.user.userId : a));
    const or: Record<string, unknown>[] = [];
    if (ids.length) or.push({ assigneeIds: { $in: ids } });
    if (f.assignee.includes('none')) or.push({ assigneeIds: { $size: 0 } });
    and.push(or.length === 1 ? (or[0] as Record<string, unknown>) : { $or: or });
  }
  if (f.label?.length) and.push({ labelIds: { $in: f.label } });
  if (f.priority?.length) and.push({ priority: { $in: f.priority } });
  if (f.dueBefore) and.push({ dueDate: { $lte: f.dueBefore } });
  if (f.dueAfter) and.push({ dueDate: { $gte: f.dueAfter } });
  if (f.parent) and.push({ parentId: f.parent });
  if (f.q) {
    const n = parseTaskNumber(f.q, key(c));
    const title = { title: { $regex: escapeRegex(f.q), $options: 'i' } };
    and.push(n !== null ? { $or: [title, { number: n }] } : title);
  }
  return and.length === 1 ? (and[0] as Record<string, unknown>) : { $and: and };
}

export async function listTasks(
  c: TaskCtx,
  f: TTaskFilter & { sort: TSortKey; limit: number; cursor?: string | undefined },
) {
  let filter = buildFilter(c, f);
  if (f.cursor) {
    const cur = decodeCursor(f.sort, f.cursor);
    filter = { $and: [filter, afterCursor(f.sort, cur.value, cur.id)] };
  }
  // The cache key is the final query (with `me` resolved), so users never share a wrong page.
  const cacheKey = `list:${createHash('sha1')
    .update(JSON.stringify([filter, f.sort, f.limit]))
    .digest('base64url')}`;
  return c.deps.cache.wrap(cacheNs(c.access.projectId), cacheKey, async () => {
    const rows = await Task.find(filter)
      .sort(sortSpec(f.sort))
      .limit(f.limit + 1)
      .lean<TTaskDoc[]>();
    const page = rows.slice(0, f.limit);
    const last = page[page.length - 1];
    const field = SORTS[f.sort].field;
    return {
      items: page.map((t) => view(c, t)),
      nextCursor:
        rows.length > f.limit && last
          ? encodeCursor(f.sort, (last as Record<string, unknown>)[field], String(last._id))
          : null,
    };
  });
}

export async function board(c: TaskCtx, f: TTaskFilter) {
  const pid = c.access.projectId;
  // Keyed by the resolved query, like listTasks: `assignee=me` is a different board per caller.
  const filter = buildFilter(c, f);
  const cacheKey = `board:${createHash('sha1').update(JSON.stringify(filter)).digest('base64url')}`;
  return c.deps.cache.wrap(cacheNs(pid), cacheKey, async () => {
    const states = await State.find({ projectId: pid })
      .sort({ position: 1, _id: 1 })
      .lean<TStateDoc[]>();
    const tasks = await Task.find(filter).sort({ rank: 1, _id: 1 }).lean<TTaskDoc[]>();
    const byState = new Map<string, TTask[]>(states.map((s) => [String(s._id), []]));
    for (const t of tasks) byState.get(String(t.stateId))?.push(view(c, t));
    return {
      columns: states.map((s) => ({ state: toState(s), tasks: byState.get(String(s._id)) ?? [] })),
    };
  });
}

import { createHash } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { Comment } from '../comments/model.ts';
import { diff, record } from '../activity/service.ts';
import type { Principal } from '../platform/auth.ts';
import { AppError, badRequest, conflict, isDuplicateKey, notFound } from '../platform/errors.ts';
import {
  cacheNs,
  cachedProjectAccess,
  type AccessProject,
  type ProjectAccess,
} from '../projects/access.ts';
import {
  Label,
  Membership,
  State,
  toState,
  type TProjectRole,
  type TStateDoc,
} from '../projects/model.ts';
import { nextTaskNumber } from '../projects/service.ts';
import { notify } from '../notifications/service.ts';
import { Task, TaskClaim, toTask, type TPriority, type TTask, type TTaskDoc } from './model.ts';
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
  access: ProjectAccess<AccessProject>;
  user: Principal;
  /** The project's cache version read by the access check, for the cached reads (see cache.json). */
  cacheVersion?: string | null | undefined;
}

/** The caller's access to a project (at least `min`), as every task, comment and attachment route needs it. */
export async function taskCtx(
  deps: Deps,
  user: Principal,
  project: string,
  min: TProjectRole = 'viewer',
): Promise<TaskCtx> {
  const { access, version } = await cachedProjectAccess(deps, project, user, min);
  return { deps, user, access, cacheVersion: version };
}

const key = (c: TaskCtx) => c.access.project.key;
const view = (c: TaskCtx, t: TTaskDoc): TTask => toTask(t, key(c));

/** `ref` is a task id, its number (`42`) or its key (`WEB-42`, case-insensitive). */
export async function findTask(
  a: Pick<ProjectAccess<AccessProject>, 'projectId' | 'project'>,
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
      if (!isDuplicateKey(err) || attempt >= 20) throw err;
    }
  }
  const t = view(c, doc.toObject());
  // The cache first: a tab that re-reads the board on the event must not get the cached one.
  await c.deps.cache.bump(cacheNs(pid));
  await record(c.deps, c.user, pid, t.id, 'task.created', [
    { field: 'title', from: null, to: t.title },
  ]);
  await notifyAssigned(c, t, t.assigneeIds);
  return t;
}

async function notifyAssigned(c: TaskCtx, t: TTask, userIds: string[]) {
  await notify(
    {
      queue: c.deps.queue,
      logger: c.deps.logger,
      frontendUrl: c.deps.config.FRONTEND_URL,
      events: c.deps.events,
    },
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

// Optimistic concurrency ------------------------------------------------------------------------

/** The task's ETag: its version, quoted (a strong validator). */
export const etagOf = (t: { version: number }) => `"${t.version}"`;

/** Whether an `If-Match` header admits version `v` (`*`, or a list of tags; `W/` is ignored). */
export function ifMatchAdmits(header: string, v: number): boolean {
  return header
    .split(',')
    .map((s) => s.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === `"${v}"`);
}

const versionOf = (t: Pick<TTaskDoc, 'version'>) => t.version ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A claim older than this was left by a writer that died between claim and release. */
const CLAIM_STALE_MS = 30_000;
/** Attempts of a write that lost the race to a concurrent one (re-read, re-apply). */
const WRITE_ATTEMPTS = 25;

async function claim(id: string, retakeStale = true): Promise<boolean> {
  try {
    await TaskClaim.create({ _id: id, at: new Date() });
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    if (!retakeStale) return false;
    const stale = await TaskClaim.deleteOne({
      _id: id,
      at: { $lt: new Date(Date.now() - CLAIM_STALE_MS) },
    });
    return stale.deletedCount > 0 && claim(id, false);
  }
}

/**
 * Applies `update` to task `id` only if it is still at `version`, and increments the version.
 * Returns null when another write got there first. On MongoDB the version in the filter is
 * enough; the claim makes it hold on FerretDB v1 too (see TaskClaim). A writer that read an
 * older version and claims after the winner released finds the newer version and no match.
 */
async function writeAt(
  id: unknown,
  version: number,
  update: Record<string, unknown>,
): Promise<TTaskDoc | null> {
  const claimId = `${String(id)}:${version + 1}`;
  if (!(await claim(claimId))) return null;
  try {
    return await Task.findOneAndUpdate(
      // Tasks created before the field existed have none: version 0 also matches a missing one.
      { _id: id, version: version === 0 ? { $in: [0, null] } : version },
      { ...update, $inc: { version: 1 } },
      { new: true },
    ).lean<TTaskDoc>();
  } finally {
    await TaskClaim.deleteOne({ _id: claimId }).catch(() => undefined);
  }
}

function stale(c: TaskCtx, current: TTaskDoc): AppError {
  const t = view(c, current);
  return new AppError(
    'precondition_failed',
    'The task was changed by someone else; reload it and apply your change again',
    { headers: { ETag: etagOf(t) }, extra: { current: t } },
  );
}

/**
 * Runs read → decide → versioned write until the write lands. `plan` returns the update to
 * apply to the task it was given (null = nothing to change). With `ifMatch`, a version other
 * than the one asked for is 412 with the current task instead of a retry.
 */
async function versioned(
  c: TaskCtx,
  ref: string,
  ifMatch: string | undefined,
  plan: (before: TTaskDoc) => Promise<Record<string, unknown> | null>,
): Promise<{ before: TTaskDoc; after: TTaskDoc; changed: boolean }> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const before = await findTask(c.access, ref);
    if (ifMatch !== undefined && !ifMatchAdmits(ifMatch, versionOf(before))) throw stale(c, before);
    const update = await plan(before);
    if (!update) return { before, after: before, changed: false };
    const after = await writeAt(before._id, versionOf(before), update);
    if (after) return { before, after, changed: true };
    if (ifMatch !== undefined && !ifMatch.includes('*'))
      throw stale(c, await findTask(c.access, ref));
    await sleep(5 + Math.random() * 20 * (attempt + 1));
  }
  throw conflict('The task is being changed by others right now, try again');
}

export async function updateTask(
  c: TaskCtx,
  ref: string,
  patch: TUpdateTask,
  ifMatch?: string,
): Promise<TTask> {
  let changes: ReturnType<typeof diff> = [];
  const { before, after, changed } = await versioned(c, ref, ifMatch, async (cur) => {
    await checkRefs(c, patch, String(cur._id));
    changes = diff(cur as unknown as Record<string, unknown>, { ...patch });
    if (changes.length === 0) return null;
    const set: Record<string, unknown> = { ...patch };
    if (patch.assigneeIds) set.assigneeIds = [...new Set(patch.assigneeIds)];
    if (patch.labelIds) set.labelIds = [...new Set(patch.labelIds)];
    if (patch.priority) set.priorityOrder = PRIORITY_ORDER[patch.priority];
    if (patch.stateId && patch.stateId !== String(cur.stateId))
      set.rank = rankBetween(await lastRank(c.access.projectId, patch.stateId, cur._id), null);
    return { $set: set };
  });
  const t = view(c, after);
  if (!changed) return t;
  await c.deps.cache.bump(cacheNs(c.access.projectId));
  await record(c.deps, c.user, c.access.projectId, t.id, 'task.updated', changes);
  const old = new Set(before.assigneeIds.map(String));
  await notifyAssigned(
    c,
    t,
    t.assigneeIds.filter((id) => !old.has(id)),
  );
  return t;
}

export type TArrayField = 'assigneeIds' | 'labelIds';

/**
 * Adds or removes one assignee or label with `$addToSet`/`$pull`, so two people toggling
 * different entries at once both keep their change (no array rebuilt from a stale copy).
 * Adding something already there, or removing something absent, changes nothing.
 */
export async function editTaskArray(
  c: TaskCtx,
  ref: string,
  field: TArrayField,
  op: 'add' | 'remove',
  value: string,
  ifMatch?: string,
): Promise<TTask> {
  const { before, after, changed } = await versioned(c, ref, ifMatch, async (cur) => {
    const has = cur[field].some((x) => String(x) === value);
    if (op === 'add' ? has : !has) return null;
    if (op === 'add') {
      await checkRefs(c, { [field]: [value] }, String(cur._id));
      return { $addToSet: { [field]: value } };
    }
    return { $pull: { [field]: value } };
  });
  const t = view(c, after);
  if (!changed) return t;
  await c.deps.cache.bump(cacheNs(c.access.projectId));
  await record(c.deps, c.user, c.access.projectId, t.id, 'task.updated', [
    { field, from: before[field].map(String), to: t[field] },
  ]);
  if (field === 'assigneeIds' && op === 'add') await notifyAssigned(c, t, [value]);
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
            // Not claimed (a rare repair of a whole column): the version still moves, so
            // an If-Match taken before it fails rather than silently passing.
            update: { $set: { rank: ranks[i < at ? i : i + 1] }, $inc: { version: 1 } },
          },
        })),
      );
      rank = ranks[at] ?? rankBetween(null, null);
    } else {
      rank = rankBetween(prev, next);
    }
  }
  // The task's other fields may change meanwhile (an assignee toggled): write at whatever
  // version it has now, so the move neither loses nor overwrites that change.
  let after: TTaskDoc | null = null;
  for (let cur = task, attempt = 0; !after; attempt++) {
    after = await writeAt(cur._id, versionOf(cur), { $set: { stateId, rank } });
    if (after) break;
    if (attempt >= WRITE_ATTEMPTS) throw conflict('The task is being changed by others right now');
    await sleep(5 + Math.random() * 20 * (attempt + 1));
    cur = await findTask(c.access, String(task._id));
  }
  const changes = diff(task as unknown as Record<string, unknown>, {
    stateId: after.stateId,
    rank,
  });
  await c.deps.cache.bump(cacheNs(pid));
  await record(c.deps, c.user, pid, String(task._id), 'task.moved', changes);
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
  await c.deps.cache.bump(cacheNs(pid));
  await record(c.deps, c.user, pid, String(t._id), 'task.deleted', [
    { field: 'title', from: t.title, to: null },
  ]);
}

/**
 * The task query of a list or board: `projectId` as a top-level equality (FerretDB pushes only
 * top-level equalities down to its database; inside `$and` it would read every project's tasks),
 * the other conditions under `$and`.
 */
function buildFilter(c: TaskCtx, f: TTaskFilter): TaskFilter {
  const and: Record<string, unknown>[] = [];
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
  return and.length
    ? { projectId: c.access.projectId, $and: and }
    : { projectId: c.access.projectId };
}

interface TaskFilter {
  projectId: string;
  $and?: Record<string, unknown>[];
}

export async function listTasks(
  c: TaskCtx,
  f: TTaskFilter & { sort: TSortKey; limit: number; cursor?: string | undefined },
) {
  let filter = buildFilter(c, f);
  if (f.cursor) {
    const cur = decodeCursor(f.sort, f.cursor);
    filter = { ...filter, $and: [...(filter.$and ?? []), afterCursor(f.sort, cur.value, cur.id)] };
  }
  // The cache key is the final query (with `me` resolved), so users never share a wrong page.
  const cacheKey = `list:${createHash('sha1')
    .update(JSON.stringify([filter, f.sort, f.limit]))
    .digest('base64url')}`;
  return c.deps.cache.json(
    cacheNs(c.access.projectId),
    cacheKey,
    async () => {
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
    },
    c.cacheVersion,
  );
}

export async function board(c: TaskCtx, f: TTaskFilter) {
  const pid = c.access.projectId;
  // Keyed by the resolved query, like listTasks: `assignee=me` is a different board per caller.
  const filter = buildFilter(c, f);
  const cacheKey = `board:${createHash('sha1').update(JSON.stringify(filter)).digest('base64url')}`;
  return c.deps.cache.json(
    cacheNs(pid),
    cacheKey,
    async () => {
      const states = await State.find({ projectId: pid })
        .sort({ position: 1, _id: 1 })
        .lean<TStateDoc[]>();
      const tasks = await Task.find(filter).sort({ rank: 1, _id: 1 }).lean<TTaskDoc[]>();
      const byState = new Map<string, TTask[]>(states.map((s) => [String(s._id), []]));
      for (const t of tasks) byState.get(String(t.stateId))?.push(view(c, t));
      return {
        columns: states.map((s) => ({
          state: toState(s),
          tasks: byState.get(String(s._id)) ?? [],
        })),
      };
    },
    c.cacheVersion,
  );
}

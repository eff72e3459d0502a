// Keeps the search index in step with tasks and comments. Writes made through the API are
// indexed by a listener on the project event bus (in the process that made the change, before
// the request answers, so a search right after an edit sees it). Writes that bypass the API
// (seed script, direct imports, a crash between the write and the event) are caught by a
// per-project sync: cheap checks (counts, newest update) decide whether to diff the project.
import type { Types } from 'mongoose';
import { Comment } from '../comments/model.ts';
import { Project } from '../projects/model.ts';
import type { Deps } from '../deps.ts';
import type { ProjectEvent } from '../events/bus.ts';
import { Task } from '../tasks/model.ts';
import { INDEX_VERSION, SearchEntry } from './model.ts';
import { indexTerms } from './text.ts';

const BATCH = 200;
/** How often a process re-checks a project for writes that bypassed the API. */
export const SYNC_INTERVAL_MS = 5 * 60_000;

type Id = string | Types.ObjectId;

/** Rebuilds the entries of these tasks from the database; deletes those of missing tasks. */
export async function reindexTasks(ids: readonly Id[]): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    // One id (every API write) is matched by equality: FerretDB pushes equality down to its
    // database but reads the whole collection for `$in` (126 ms instead of 1 ms on 1,200 tasks).
    const one = batch.length === 1 ? batch[0] : undefined;
    const tasks = await Task.find(one !== undefined ? { _id: one } : { _id: { $in: batch } }, {
      projectId: 1,
      title: 1,
      description: 1,
      updatedAt: 1,
    }).lean();
    const [only] = tasks;
    const comments =
      tasks.length === 0
        ? []
        : await Comment.find(
            tasks.length === 1 && only
              ? { taskId: only._id }
              : { taskId: { $in: tasks.map((t) => t._id) } },
            { taskId: 1, body: 1, createdAt: 1 },
          )
            .sort({ _id: 1 })
            .lean();
    const byTask = new Map<string, { body: string; createdAt: Date }[]>();
    for (const c of comments) {
      const list = byTask.get(String(c.taskId)) ?? [];
      list.push({ body: c.body, createdAt: c.createdAt });
      byTask.set(String(c.taskId), list);
    }
    const found = new Set(tasks.map((t) => String(t._id)));
    const gone = batch.filter((id) => !found.has(String(id)));
    if (gone.length) await SearchEntry.deleteMany({ _id: { $in: gone } });
    if (tasks.length === 0) continue;
    await SearchEntry.bulkWrite(
      tasks.map((t) => {
        const cs = byTask.get(String(t._id)) ?? [];
        const at = cs.reduce((m, c) => (c.createdAt > m ? c.createdAt : m), t.updatedAt);
        return {
          replaceOne: {
            filter: { _id: t._id },
            replacement: {
              _id: t._id,
              projectId: t.projectId,
              terms: indexTerms([t.title, t.description, ...cs.map((c) => c.body)]),
              at,
              taskUpdatedAt: t.updatedAt,
              v: INDEX_VERSION,
            },
            upsert: true,
          },
        };
      }),
      // Ordered: mongoose silently skips a replacement that fails validation when unordered.
      { ordered: true, throwOnValidationError: true },
    );
  }
}

/** Whether an event can change the words of a task's entry (moves and priorities cannot). */
export function changesText(e: ProjectEvent): boolean {
  if (!e.taskId) return false;
  if (e.type.startsWith('comment.')) return true;
  if (e.type === 'task.created' || e.type === 'task.deleted') return true;
  if (e.type === 'task.updated')
    return e.changes.some((c) => c.field === 'title' || c.field === 'description');
  return false;
}

/**
 * Records a task's new updatedAt after a change that leaves its words alone (a move, a new
 * priority): recency ranking stays right, and the sync does not take the entry for a missed write.
 */
async function touch(taskId: string): Promise<void> {
  const t = await Task.findById(taskId, { updatedAt: 1 }).lean();
  if (t)
    await SearchEntry.updateOne(
      { _id: t._id, v: INDEX_VERSION },
      { $set: { taskUpdatedAt: t.updatedAt, at: t.updatedAt } },
    );
}

const registered = new WeakSet<Deps['events']>();

/** Indexes every API write of a task or comment (once per event bus). */
export function listenForChanges(deps: Pick<Deps, 'events'>): void {
  if (registered.has(deps.events)) return;
  registered.add(deps.events);
  deps.events.onPublish(async (e) => {
    if (!e.taskId) return;
    if (changesText(e)) await reindexTasks([e.taskId]);
    else if (e.type.startsWith('task.')) await touch(e.taskId);
  });
}

/** Brings one project's entries in line with its tasks (missing, outdated, orphaned). */
export async function syncProject(projectId: Id): Promise<number> {
  const tasks = await Task.find({ projectId }, { updatedAt: 1 }).lean();
  const entries = await SearchEntry.find({ projectId }, { taskUpdatedAt: 1, v: 1 }).lean();
  const have = new Map(entries.map((e) => [String(e._id), e]));
  const stale = tasks.filter((t) => {
    const e = have.get(String(t._id));
    return !e || e.v !== INDEX_VERSION || e.taskUpdatedAt.getTime() !== t.updatedAt.getTime();
  });
  const live = new Set(tasks.map((t) => String(t._id)));
  const orphans = entries.filter((e) => !live.has(String(e._id))).map((e) => e._id);
  if (orphans.length) await SearchEntry.deleteMany({ _id: { $in: orphans } });
  await reindexTasks(stale.map((t) => t._id));
  return stale.length + orphans.length;
}

/** Cheap test: does the project look out of step (different count, newer task, old version)? */
async function looksStale(projectId: Id): Promise<boolean> {
  const [tasks, entries, newestTask, newestEntry, oldEntry] = await Promise.all([
    Task.countDocuments({ projectId }),
    SearchEntry.countDocuments({ projectId }),
    Task.findOne({ projectId }, { updatedAt: 1 }).sort({ updatedAt: -1, _id: -1 }).lean(),
    SearchEntry.findOne({ projectId }, { taskUpdatedAt: 1 }).sort({ taskUpdatedAt: -1 }).lean(),
    SearchEntry.exists({ projectId, v: { $ne: INDEX_VERSION } }),
  ]);
  if (tasks !== entries || oldEntry) return true;
  if (!newestTask) return false;
  return !newestEntry || newestEntry.taskUpdatedAt.getTime() < newestTask.updatedAt.getTime();
}

/**
 * Deletes the entries of projects that no longer exist (project deletion removes tasks without
 * an event per task). Such entries are never shown (searches are limited to visible projects);
 * this only reclaims their space.
 */
export async function sweepDeletedProjects(): Promise<number> {
  const live = await Project.distinct('_id');
  const r = await SearchEntry.deleteMany({ projectId: { $nin: live } });
  return r.deletedCount;
}

/** Per-process memory of when each project was last checked. */
export function createSyncer(now: () => number = Date.now) {
  const checked = new Map<string, number>();
  // Concurrent searches share one check per project instead of diffing it side by side.
  const running = new Map<string, Promise<void>>();
  let swept = -Infinity;
  const check = (pid: string): Promise<void> => {
    const inFlight = running.get(pid);
    if (inFlight) return inFlight;
    const p = (async () => {
      if (await looksStale(pid)) await syncProject(pid);
      checked.set(pid, now());
    })().finally(() => running.delete(pid));
    running.set(pid, p);
    return p;
  };
  return {
    /** Checks the projects not checked within SYNC_INTERVAL_MS; syncs those out of step. */
    async ensureFresh(projectIds: readonly string[]): Promise<void> {
      if (now() - swept >= SYNC_INTERVAL_MS) {
        swept = now();
        await sweepDeletedProjects();
      }
      for (const pid of projectIds) {
        const last = checked.get(pid);
        if (last === undefined || now() - last >= SYNC_INTERVAL_MS) await check(pid);
      }
    },
  };
}

import type { Deps } from '../deps.ts';
import type { Principal } from '../platform/auth.ts';
import { Activity, toActivity, type TActivityDoc } from './model.ts';

export interface Change {
  field: string;
  from: unknown;
  to: unknown;
}

const norm = (v: unknown): unknown => {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(norm);
  if (v !== null && typeof v === 'object' && 'toHexString' in v) return String(v);
  return v ?? null;
};

/** Field-by-field diff (old → new) of the keys present in `patch`. */
export function diff(before: Record<string, unknown>, patch: Record<string, unknown>): Change[] {
  const out: Change[] = [];
  for (const [field, to] of Object.entries(patch)) {
    if (to === undefined) continue;
    const a = norm(before[field]);
    const b = norm(to);
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ field, from: a, to: b });
  }
  return out;
}

/** Records a change in the activity log, then publishes it as a project event. */
export async function record(
  deps: Pick<Deps, 'events'>,
  actor: Principal,
  projectId: string,
  taskId: string | null,
  action: string,
  changes: Change[] = [],
): Promise<void> {
  const doc = await Activity.create({
    projectId,
    taskId,
    actorId: actor.userId,
    actorName: actor.name,
    action,
    changes,
  });
  const a = toActivity(doc.toObject());
  await deps.events.publish({
    id: a.id,
    projectId: a.projectId,
    taskId: a.taskId,
    type: a.action,
    actorId: a.actorId,
    actorName: a.actorName,
    changes: a.changes.map((c) => ({ field: c.field ?? '', from: c.from, to: c.to })),
    at: a.createdAt.toISOString(),
  });
}

export async function listActivity(
  filter: { projectId: string; taskId?: string },
  limit: number,
  cursor?: string,
) {
  const q: Record<string, unknown> = { projectId: filter.projectId };
  if (filter.taskId) q.taskId = filter.taskId;
  if (cursor) q._id = { $lt: cursor };
  const rows = await Activity.find(q)
    .sort({ _id: -1 })
    .limit(limit + 1)
    .lean<TActivityDoc[]>();
  const page = rows.slice(0, limit);
  return {
    items: page.map(toActivity),
    nextCursor: rows.length > limit && page.length > 0 ? String(page[page.length - 1]?._id) : null,
  };
}

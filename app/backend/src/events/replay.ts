// Replay after a reconnect: the events a client missed are read back from the activity log (the
// durable record every event comes from), not from Redis (pub/sub keeps nothing).
//
// Ordering caveat: activity ids are ObjectIds made by the replica that recorded the change; they
// sort by second first, then by per-process random bytes. Two replicas writing in the same second
// can therefore produce ids that do not sort in commit order. The replay reads from the START of
// the second of Last-Event-ID (skipping that id itself), so an event of that second is never lost;
// the price is that a few events of that second may arrive twice. Clients treat events as "this
// changed, refresh it", which is idempotent.
import mongoose from 'mongoose';
import { Activity, toActivity, type TActivityDoc } from '../activity/model.ts';
import type { ProjectEvent } from './bus.ts';

export type Replay =
  | { kind: 'events'; events: ProjectEvent[] }
  | { kind: 'reset'; reason: 'bad-id' | 'too-far-behind' };

const OBJECT_ID = /^[a-f0-9]{24}$/;

export function toProjectEvent(doc: TActivityDoc): ProjectEvent {
  const a = toActivity(doc);
  return {
    id: a.id,
    projectId: a.projectId,
    taskId: a.taskId,
    type: a.action,
    actorId: a.actorId,
    actorName: a.actorName,
    changes: a.changes.map((c) => ({ field: c.field ?? '', from: c.from, to: c.to })),
    at: a.createdAt.toISOString(),
  };
}

/** The project's events after `lastId` (oldest first), or a reset when they cannot all be sent. */
export async function replaySince(projectId: string, lastId: string, max: number): Promise<Replay> {
  if (!OBJECT_ID.test(lastId)) return { kind: 'reset', reason: 'bad-id' };
  const last = new mongoose.Types.ObjectId(lastId);
  const from = mongoose.Types.ObjectId.createFromTime(last.getTimestamp().getTime() / 1000);
  const rows = await Activity.find({ projectId, _id: { $gte: from } })
    .sort({ _id: 1 })
    .limit(max + 2) // +1 for lastId itself, +1 to detect "more than max"
    .lean<TActivityDoc[]>();
  const events = rows.filter((r) => !r._id.equals(last)).map(toProjectEvent);
  if (events.length > max) return { kind: 'reset', reason: 'too-far-behind' };
  return { kind: 'events', events };
}

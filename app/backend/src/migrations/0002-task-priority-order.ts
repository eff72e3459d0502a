// `priorityOrder` is the numeric twin of `priority` that the "urgent first" sort uses as an
// index key (tasks/model.ts). Its schema default is 0, so a task stored before the field existed
// (or written by a script that set only `priority`) sorts as `none` whatever its priority. This
// sets it from `priority` wherever the two disagree. The mapping is copied, not imported: a
// migration must keep meaning what it meant when it was written.
import type { Migration } from './types.ts';

const ORDER: Record<string, number> = { none: 0, low: 1, medium: 2, high: 3, urgent: 4 };

export const taskPriorityOrder: Migration = {
  id: '0002-task-priority-order',
  description: 'tasks: set priorityOrder from priority where it is missing or disagrees',
  async up({ db, log }) {
    const tasks = db.collection('tasks');
    let modified = 0;
    // One update per priority value: no $switch/$expr pipelines (FerretDB v1 lacks them).
    for (const [priority, order] of Object.entries(ORDER)) {
      const r = await tasks.updateMany(
        { priority, priorityOrder: { $ne: order } },
        { $set: { priorityOrder: order } },
      );
      modified += r.modifiedCount;
    }
    // No priority at all reads as `none` (the schema default).
    const r = await tasks.updateMany(
      { priority: { $exists: false } },
      { $set: { priority: 'none', priorityOrder: 0 } },
    );
    log.info({ modified: modified + r.modifiedCount }, 'tasks with a stale priorityOrder');
  },
};

// Tasks written before optimistic concurrency existed have no `version`. The API reads a
// missing one as 0 and its conditional write matches `{ version: { $in: [0, null] } }` for them
// (tasks/service.ts `writeAt`); after this migration every task has a number, so that special
// case only remains for documents inserted by an older release during a roll-out.
import type { Migration } from './types.ts';

export const taskVersion: Migration = {
  id: '0001-task-version',
  description: 'tasks: backfill version = 0 where it is missing or null',
  async up({ db, log }) {
    const r = await db
      .collection('tasks')
      .updateMany(
        { $or: [{ version: { $exists: false } }, { version: null }] },
        { $set: { version: 0 } },
      );
    log.info({ matched: r.matchedCount, modified: r.modifiedCount }, 'tasks without version');
  },
};

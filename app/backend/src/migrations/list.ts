// Every migration this release knows, in the order they run. Append only: a released migration
// is never edited, reordered or removed (a database records its id; a binary that no longer
// knows an applied id treats the database as newer than itself and refuses it).
import { taskVersion } from './0001-task-version.ts';
import { taskPriorityOrder } from './0002-task-priority-order.ts';
import type { Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [taskVersion, taskPriorityOrder];

// The normalised form every import format is read into (pure data, no ids of this instance):
// format readers (csv-tasks.ts, trello.ts, pms-json.ts) produce it, plan.ts maps it onto a
// project. Fields stay loosely typed strings here; plan.ts validates them and reports what it
// cannot use.
import type { TProjectRole } from '../projects/model.ts';

export type TStateCategory = 'backlog' | 'unstarted' | 'started' | 'completed' | 'cancelled';

/** Something of the source that is not imported, or not as it was: shown in the preview. */
export interface Unmapped {
  /** Where in the file: `line 4`, `card "Fix login"`, `header`, `list "Archive"`. */
  where: string;
  field?: string;
  reason: string;
}

export interface SourcePerson {
  /** How tasks and comments refer to this person (an e-mail, a Trello member id, a name). */
  key: string;
  email?: string | undefined;
  name?: string | undefined;
  username?: string | undefined;
  /** Role in the source project (this app's own export); others join as members. */
  role?: TProjectRole | undefined;
}

export interface SourceComment {
  author: string | null;
  authorName: string;
  body: string;
  createdAt: string | null;
}

export interface SourceTask {
  /** Unique within the file; what `parent` refers to. */
  ref: string;
  where: string;
  title: string;
  description: string;
  /** A state name; null = `stateCategory`'s first state, or the project's first state. */
  state: string | null;
  stateCategory?: TStateCategory | undefined;
  priority: string | null;
  assignees: string[];
  labels: string[];
  dueDate: string | null;
  estimate: string | number | null;
  parent: string | null;
  comments: SourceComment[];
  createdAt: string | null;
  /** Board order within the state (this app's export); file order otherwise. */
  rank?: string | null | undefined;
}

export interface Source {
  format: TImportFormat;
  /** Declared states (Trello lists, an export's workflow) in board order. */
  states: { name: string; category?: TStateCategory | undefined; color?: string | undefined }[];
  labels: { name: string; color?: string | undefined }[];
  people: SourcePerson[];
  tasks: SourceTask[];
  unmapped: Unmapped[];
  /** CSV only: the file's columns and the field → column mapping that was used. */
  columns?: string[];
  mapping?: Record<string, string>;
}

export const IMPORT_FORMATS = ['csv', 'trello', 'pms-json'] as const;
export type TImportFormat = (typeof IMPORT_FORMATS)[number];

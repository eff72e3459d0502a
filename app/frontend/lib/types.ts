// API shapes, as documented in app/backend/API.md.
import type { Priority } from './filters.ts';

export type { Priority };
export type ProjectRole = 'owner' | 'admin' | 'member' | 'viewer';
export type StateCategory = 'backlog' | 'unstarted' | 'started' | 'completed' | 'cancelled';

export interface User {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'member';
  createdAt: string;
}
export interface Session {
  accessToken: string;
  expiresIn: number;
  user: User;
}
export interface AuthConfig {
  registrationEnabled: boolean;
  fileUploadEnabled: boolean;
  maxUploadBytes: number;
  allowedUploadTypes: string[];
}
export interface Project {
  id: string;
  key: string;
  name: string;
  description: string;
  archived: boolean;
  role: ProjectRole;
  createdAt: string;
  updatedAt: string;
}
export interface Member {
  userId: string;
  name: string;
  email: string;
  role: ProjectRole;
  addedAt: string;
}
export interface State {
  id: string;
  projectId: string;
  name: string;
  category: StateCategory;
  color: string;
  position: number;
}
export interface Label {
  id: string;
  projectId: string;
  name: string;
  color: string;
}
export interface Task {
  id: string;
  projectId: string;
  number: number;
  key: string;
  title: string;
  description: string;
  stateId: string;
  priority: Priority;
  assigneeIds: string[];
  labelIds: string[];
  /** Incremented by every write; sent back as `If-Match` so a stale edit is refused (412). */
  version: number;
  dueDate: string | null;
  estimate: number | null;
  parentId: string | null;
  rank: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
export interface Comment {
  id: string;
  taskId: string;
  authorId: string;
  authorName: string;
  body: string;
  mentions: string[];
  createdAt: string;
  updatedAt: string;
}
export interface Attachment {
  id: string;
  taskId: string;
  filename: string;
  contentType: string;
  size: number;
  status: 'pending' | 'ready';
  uploadedBy: string;
  createdAt: string;
}
export interface Activity {
  id: string;
  projectId: string;
  taskId: string | null;
  actorId: string;
  actorName: string;
  action: string;
  changes: { field: string; from: unknown; to: unknown }[];
  createdAt: string;
}
export interface Notification {
  id: string;
  type: 'mention' | 'assigned' | 'comment';
  projectId: string;
  taskId: string;
  taskKey: string;
  actorId: string;
  actorName: string;
  message: string;
  read: boolean;
  createdAt: string;
}
export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  createdAt: string;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface BoardData {
  columns: { state: State; tasks: Task[] }[];
}

const RANK: Record<ProjectRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** True when `role` is at least `min` in owner > admin > member > viewer. */
export function atLeast(role: ProjectRole | undefined, min: ProjectRole): boolean {
  return role !== undefined && RANK[role] >= RANK[min];
}

// Pure helpers of the live connection: which stream a page uses, how long to wait before
// reconnecting, and which events concern which screen.

/** A project event as the API sends it (`event: project`). */
export interface LiveProjectEvent {
  id: string;
  projectId: string;
  taskId: string | null;
  type: string;
  actorId: string;
  actorName: string;
  changes: { field: string; from: unknown; to: unknown }[];
  at: string;
}

/** A user event (`event: user`): the notification badge. */
export interface LiveUserEvent {
  userId: string;
  type: string;
  unreadCount?: number;
  at: string;
}

/**
 * What screens hear. `resync`: events may have been missed (the server could not replay them,
 * or this is a reconnect with nothing to replay from): reload what is shown.
 */
export type LiveMessage =
  | { kind: 'project'; event: LiveProjectEvent }
  | { kind: 'user'; event: LiveUserEvent }
  | { kind: 'ready' }
  | { kind: 'resync' };

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The project key of an app path (/projects/WEB/board → WEB), or null. */
export function projectKeyOf(pathname: string): string | null {
  const m = /^\/projects\/([^/]+)(?:\/|$)/.exec(pathname);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

/** One stream per tab: the project's (which carries the user's events too) or the user's own. */
export function streamPath(pathname: string): string {
  const key = projectKeyOf(pathname);
  return key ? `/projects/${encodeURIComponent(key)}/events` : '/me/events';
}

/**
 * Wait before reconnect attempt `attempt`: the server's retry doubling per failure, capped at
 * 15 s (a roll-out or restore makes every client fail for a while; a longer cap would leave
 * boards "Reconnecting" long after the new pods serve), with ±25 % jitter.
 */
export function backoffMs(attempt: number, retryMs: number, random: number): number {
  const base = Math.min(15_000, retryMs * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.75 + 0.5 * random));
}

/** Does a project event change what the board or the list shows? */
export function touchesTasks(e: LiveProjectEvent): boolean {
  return e.type.startsWith('task.') || e.type === 'project.updated';
}

/** Does a project event change the task `taskId` (fields, comments, attachments)? */
export function touchesTask(e: LiveProjectEvent, taskId: string): boolean {
  return e.taskId === taskId;
}

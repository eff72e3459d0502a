// The event types a webhook can subscribe to: the project activity actions published on the
// event bus (activity/service.ts `record`), plus `ping`, sent only by "send test".
export const WEBHOOK_EVENTS = [
  'task.created',
  'task.updated',
  'task.moved',
  'task.deleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'attachment.added',
  'attachment.deleted',
  'member.added',
  'member.updated',
  'member.removed',
  'project.updated',
] as const;

export const ALL_EVENTS = '*';
export const PING_EVENT = 'ping';

/** Whether a webhook subscribed to `events` wants `type`. */
export const wants = (events: readonly string[], type: string): boolean =>
  events.includes(ALL_EVENTS) || events.includes(type);

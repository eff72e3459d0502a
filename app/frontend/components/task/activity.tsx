'use client';
import { api } from '@/lib/client/api.ts';
import { changeValue, relativeTime } from '@/lib/format.ts';
import type { Activity, Page, Task } from '@/lib/types.ts';
import { useProject } from '../project/project-context.tsx';
import { Avatar, ErrorState, Skeleton } from '../ui.tsx';
import { useResource } from '../use-api.ts';

const VERB: Record<string, string> = {
  'task.created': 'created the task',
  'task.updated': 'updated',
  'task.moved': 'moved the task',
  'task.deleted': 'deleted the task',
  'comment.created': 'commented',
  'comment.deleted': 'deleted a comment',
  'attachment.created': 'attached a file',
  'attachment.deleted': 'removed an attachment',
};

export function ActivityList({ task, refreshKey }: { task: Task; refreshKey: number }) {
  const { project, states, labels, memberName } = useProject();
  const res = useResource(`activity-${task.id}-${refreshKey}`, () =>
    api.get<Page<Activity>>(`/projects/${project.key}/tasks/${task.number}/activity`, {
      limit: 50,
    }),
  );
  const show = (field: string, v: unknown): string => {
    if (field === 'stateId') return states.find((s) => s.id === v)?.name ?? changeValue(v);
    if (field === 'labelIds' && Array.isArray(v))
      return v.map((id) => labels.find((l) => l.id === id)?.name ?? '?').join(', ') || 'none';
    if (field === 'assigneeIds' && Array.isArray(v))
      return v.map((id) => memberName(String(id))).join(', ') || 'none';
    const s = changeValue(v);
    return s.length > 80 ? `${s.slice(0, 77)}…` : s;
  };
  const fieldName = (f: string) =>
    ({
      stateId: 'state',
      labelIds: 'labels',
      assigneeIds: 'assignees',
      dueDate: 'due date',
      parentId: 'parent',
    })[f] ?? f;
  return (
    <section className="section" aria-labelledby={`act-${task.id}`}>
      <div className="section-head">
        <h2 id={`act-${task.id}`}>Activity</h2>
      </div>
      {res.error ? <ErrorState error={res.error} onRetry={() => void res.reload()} /> : null}
      {!res.data && !res.error ? <Skeleton lines={2} /> : null}
      {res.data?.items.length === 0 ? <p className="muted">No activity yet.</p> : null}
      <ol className="timeline">
        {res.data?.items.map((a) => (
          <li key={a.id} className="timeline-item">
            <Avatar id={a.actorId} name={a.actorName} size={20} />
            <div>
              <span className="strong">{a.actorName}</span> {VERB[a.action] ?? a.action}
              {a.changes.length > 0 ? (
                <ul className="changes">
                  {a.changes.map((c, i) => (
                    <li key={i}>
                      {fieldName(c.field)}: <span className="from">{show(c.field, c.from)}</span> →{' '}
                      <span className="to">{show(c.field, c.to)}</span>
                    </li>
                  ))}
                </ul>
              ) : null}
              <span className="muted small"> · {relativeTime(a.createdAt)}</span>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

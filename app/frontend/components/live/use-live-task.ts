'use client';
// Live refresh of one task's screens: calls `onChange` when someone else (or this user from
// another tab) changes the task (its fields, comments, attachments) or when events may have been
// missed.
import { api } from '@/lib/client/api.ts';
import { touchesTask } from '@/lib/live.ts';
import { useSession } from '../session.tsx';
import { useLive } from './live-provider.tsx';

export function useLiveTask(
  taskId: string | undefined,
  onChange: () => void,
  only?: (type: string) => boolean,
): void {
  const { user } = useSession();
  useLive((m) => {
    if (!taskId) return;
    if (m.kind === 'resync') onChange();
    else if (
      m.kind === 'project' &&
      (m.event.actorId !== user?.id || !api.wroteRecently()) &&
      touchesTask(m.event, taskId) &&
      (!only || only(m.event.type))
    )
      onChange();
  });
}

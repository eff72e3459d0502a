'use client';
// Live refresh of one task's screens: calls `onChange` when someone else changes the task (its
// fields, comments, attachments) or when events may have been missed.
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
      m.event.actorId !== user?.id &&
      touchesTask(m.event, taskId) &&
      (!only || only(m.event.type))
    )
      onChange();
  });
}

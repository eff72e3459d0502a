'use client';
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { useProject } from '../project/project-context.tsx';
import { IconButton } from '../ui.tsx';
import { TaskDetail } from './task-detail.tsx';

/** The task as a side panel over the board (Escape or the close button returns to the board). */
export function TaskPanel({
  taskRef,
  onClose,
  onChanged,
}: {
  taskRef: string;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { project } = useProject();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className="panel"
      aria-label={`Task ${project.key}-${taskRef}`}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <div className="panel-inner">
        <div className="panel-bar">
          <Link className="link-btn" href={`/projects/${project.key}/tasks/${taskRef}`}>
            Open as page
          </Link>
          <IconButton icon="x" label="Close task" onClick={onClose} />
        </div>
        <TaskDetail
          taskRef={taskRef}
          onChanged={onChanged}
          onDeleted={() => {
            onChanged();
            onClose();
          }}
        />
      </div>
    </dialog>
  );
}

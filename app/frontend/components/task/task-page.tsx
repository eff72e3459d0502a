'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Icon } from '../icons.tsx';
import { useProject } from '../project/project-context.tsx';
import { TaskDetail } from './task-detail.tsx';

export function TaskPage({ taskRef }: { taskRef: string }) {
  const { project } = useProject();
  const router = useRouter();
  return (
    <div className="page task-page">
      <Link href={`/projects/${project.key}/board`} className="back-link">
        <Icon name="chevronLeft" /> Back to board
      </Link>
      <TaskDetail
        taskRef={taskRef}
        onDeleted={() => router.push(`/projects/${project.key}/board`)}
      />
    </div>
  );
}

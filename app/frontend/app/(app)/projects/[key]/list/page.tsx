import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TaskList } from '@/components/list/task-list.tsx';

export const metadata: Metadata = { title: 'List' };

export default function ListPage() {
  return (
    <Suspense>
      <TaskList />
    </Suspense>
  );
}

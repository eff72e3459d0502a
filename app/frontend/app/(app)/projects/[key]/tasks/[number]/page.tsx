import { TaskPage } from '@/components/task/task-page.tsx';

export default async function Page({ params }: { params: Promise<{ number: string }> }) {
  const { number } = await params;
  return <TaskPage taskRef={number} />;
}

import type { ReactNode } from 'react';
import { ProjectProvider } from '@/components/project/project-context.tsx';

export default async function ProjectLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ key: string }>;
}) {
  const { key } = await params;
  return (
    <ProjectProvider projectKey={decodeURIComponent(key).toUpperCase()}>{children}</ProjectProvider>
  );
}

'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { ApiError } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import {
  atLeast,
  type Label,
  type Member,
  type Project,
  type ProjectRole,
  type State,
} from '@/lib/types.ts';
import { Icon } from '../icons.tsx';
import { EmptyState, ErrorState, Loading } from '../ui.tsx';
import { useResource } from '../use-api.ts';

interface ProjectData {
  project: Project;
  states: State[];
  labels: Label[];
  members: Member[];
}

interface ProjectValue extends ProjectData {
  can: (min: ProjectRole) => boolean;
  reload: () => Promise<void>;
  memberName: (userId: string) => string;
}

const ProjectContext = createContext<ProjectValue | null>(null);

export function useProject(): ProjectValue {
  const v = useContext(ProjectContext);
  if (!v) throw new Error('useProject outside ProjectProvider');
  return v;
}

async function loadProject(key: string): Promise<ProjectData> {
  const base = `/projects/${encodeURIComponent(key)}`;
  const [project, states, labels, members] = await Promise.all([
    api.get<Project>(base),
    api.get<{ items: State[] }>(`${base}/states`),
    api.get<{ items: Label[] }>(`${base}/labels`),
    api.get<{ items: Member[] }>(`${base}/members`),
  ]);
  return { project, states: states.items, labels: labels.items, members: members.items };
}

export function ProjectProvider({
  projectKey,
  children,
}: {
  projectKey: string;
  children: ReactNode;
}) {
  const res = useResource(`project-${projectKey}`, () => loadProject(projectKey));
  const pathname = usePathname();
  const reload = res.reload;
  const data = res.data;
  const memberName = useCallback(
    (id: string) => data?.members.find((m) => m.userId === id)?.name ?? 'Unknown',
    [data],
  );
  const value = useMemo<ProjectValue | null>(
    () =>
      data ? { ...data, can: (min) => atLeast(data.project.role, min), reload, memberName } : null,
    [data, reload, memberName],
  );

  if (res.error instanceof ApiError && res.error.status === 404) {
    return (
      <div className="page">
        <EmptyState
          title="Project not found"
          text="It does not exist, or you are not a member of it."
          action={
            <Link className="btn btn-primary" href="/projects">
              Back to projects
            </Link>
          }
        />
      </div>
    );
  }
  if (res.error && !data) return <ErrorState error={res.error} onRetry={() => void reload()} />;
  if (!value) return <Loading label="Loading project…" />;

  const base = `/projects/${value.project.key}`;
  const tabs = [
    { href: `${base}/board`, label: 'Board', icon: 'board' as const },
    { href: `${base}/list`, label: 'List', icon: 'list' as const },
    { href: `${base}/settings`, label: 'Settings', icon: 'settings' as const },
  ];
  return (
    <ProjectContext.Provider value={value}>
      <div className="project">
        <header className="project-head">
          <div className="project-title">
            <span className="project-badge" aria-hidden="true">
              {value.project.key.slice(0, 2)}
            </span>
            <h1 className="truncate">{value.project.name}</h1>
            {value.project.archived ? <span className="tag">Archived</span> : null}
            {value.project.role === 'viewer' ? <span className="tag">View only</span> : null}
          </div>
          <nav className="view-tabs" aria-label="Project views">
            {tabs.map((t) => (
              <Link
                key={t.href}
                href={t.href}
                className={pathname.startsWith(t.href) ? 'view-tab active' : 'view-tab'}
                aria-current={pathname.startsWith(t.href) ? 'page' : undefined}
              >
                <Icon name={t.icon} />
                {t.label}
              </Link>
            ))}
          </nav>
        </header>
        {children}
      </div>
    </ProjectContext.Provider>
  );
}

'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '@/lib/client/api.ts';
import type { Notification, Page, Project } from '@/lib/types.ts';
import { Icon } from './icons.tsx';
import { GlobalSearch } from './search/global-search.tsx';
import { PeopleNavLink } from './people/nav-link.tsx';
import { LiveConnection, LiveIndicator, useLive } from './live/live-provider.tsx';
import { RequireAuth, useSession } from './session.tsx';
import { ThemeToggle } from './theme.tsx';
import { Avatar, Loading } from './ui.tsx';
import { useResource } from './use-api.ts';

/** Unread notification count: loaded on each (re)connect, then pushed by the live stream. */
function useUnread(): number {
  const [count, setCount] = useState(0);
  useLive((m) => {
    if (m.kind === 'user' && m.event.unreadCount !== undefined) setCount(m.event.unreadCount);
    else if (m.kind === 'ready' || m.kind === 'resync')
      window.dispatchEvent(new Event('pms:notifications'));
  });
  useEffect(() => {
    let stop = false;
    const load = () => {
      api
        .get<Page<Notification> & { unreadCount: number }>('/notifications', {
          unread: 'true',
          limit: 1,
        })
        .then((r) => !stop && setCount(r.unreadCount))
        .catch(() => undefined);
    };
    load();
    const onChange = () => load();
    window.addEventListener('pms:notifications', onChange);
    return () => {
      stop = true;
      window.removeEventListener('pms:notifications', onChange);
    };
  }, []);
  return count;
}

function Sidebar({ onNavigate }: { onNavigate: () => void }) {
  const pathname = usePathname();
  const router = useRouter();
  const { user } = useSession();
  const unread = useUnread();
  const projects = useResource('sidebar-projects', () =>
    api.get<{ items: Project[] }>('/projects'),
  );
  useEffect(() => {
    const reload = () => void projects.reload();
    window.addEventListener('pms:projects', reload);
    return () => window.removeEventListener('pms:projects', reload);
  }, [projects]);
  const active = (href: string) => pathname === href || pathname.startsWith(`${href}/`);

  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          P
        </span>
        <span className="brand-name">PMS</span>
        <LiveIndicator />
      </div>
      <GlobalSearch />
      <div className="nav-group">
        <Link
          href="/projects"
          className={pathname === '/projects' ? 'nav-item active' : 'nav-item'}
          onClick={onNavigate}
        >
          <Icon name="folder" />
          <span>Projects</span>
        </Link>
        <Link
          href="/notifications"
          className={active('/notifications') ? 'nav-item active' : 'nav-item'}
          onClick={onNavigate}
          aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        >
          <Icon name="bell" />
          <span>Notifications</span>
          {unread > 0 ? (
            <span className="badge" data-testid="unread-count">
              {unread > 99 ? '99+' : unread}
            </span>
          ) : null}
        </Link>
        <PeopleNavLink onNavigate={onNavigate} />
      </div>
      <div className="nav-group nav-projects">
        <div className="nav-heading">Your projects</div>
        {projects.data?.items.length === 0 ? <p className="nav-empty">No projects yet</p> : null}
        {projects.data?.items.map((p) => (
          <Link
            key={p.id}
            href={`/projects/${p.key}/board`}
            className={active(`/projects/${p.key}`) ? 'nav-item active' : 'nav-item'}
            onClick={onNavigate}
          >
            <span className="project-badge" aria-hidden="true">
              {p.key.slice(0, 2)}
            </span>
            <span className="truncate">{p.name}</span>
          </Link>
        ))}
      </div>
      <div className="nav-footer">
        <ThemeToggle />
        <Link
          href="/settings"
          className={active('/settings') ? 'nav-item active' : 'nav-item'}
          onClick={onNavigate}
        >
          {user ? <Avatar id={user.id} name={user.name} size={18} /> : <Icon name="user" />}
          <span className="truncate">{user?.name ?? 'Account'}</span>
        </Link>
        <button
          type="button"
          className="nav-item"
          onClick={async () => {
            await api.logout().catch(() => undefined);
            router.replace('/sign-in');
          }}
        >
          <Icon name="logout" />
          <span>Sign out</span>
        </button>
      </div>
    </nav>
  );
}

/** Pop-over menus are <details>: close them on a click outside or Escape, like native menus. */
function useMenuDismiss() {
  useEffect(() => {
    const closeAll = (except?: Node | null) => {
      for (const d of document.querySelectorAll<HTMLDetailsElement>('details.menu[open]')) {
        if (!except || !d.contains(except)) d.open = false;
      }
    };
    const onClick = (e: MouseEvent) => closeAll(e.target as Node | null);
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      const open = document.querySelector<HTMLDetailsElement>('details.menu[open]');
      if (open) {
        e.preventDefault();
        open.open = false;
        open.querySelector('summary')?.focus();
      }
    };
    document.addEventListener('click', onClick);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('click', onClick);
      document.removeEventListener('keydown', onKey, true);
    };
  }, []);
}

export function AppShell({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  useEffect(() => setOpen(false), [pathname]);
  useMenuDismiss();
  return (
    <RequireAuth
      fallback={
        <main className="centered-page">
          <Loading label="Loading your workspace…" />
        </main>
      }
    >
      <div className={open ? 'shell nav-open' : 'shell'}>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="mobile-bar">
          <button
            type="button"
            className="icon-btn"
            aria-label={open ? 'Close menu' : 'Open menu'}
            aria-expanded={open}
            onClick={() => setOpen((o) => !o)}
          >
            <Icon name={open ? 'x' : 'menu'} />
          </button>
          <span className="brand-name">PMS</span>
          <ThemeToggle compact />
        </header>
        <LiveConnection />
        <Sidebar onNavigate={() => setOpen(false)} />
        {open ? <div className="scrim" onClick={() => setOpen(false)} aria-hidden="true" /> : null}
        <main id="main" className="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </RequireAuth>
  );
}

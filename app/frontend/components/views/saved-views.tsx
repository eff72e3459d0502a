'use client';
// Saved views in the filters bar: pick one (opens its layout with its filters and sort), save
// the current filters/sort/layout under a name (optionally shared with the project), share or
// unshare, delete. The API decides who may edit (owner; project admins for shared views).
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { describeError } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { isCurrentView, viewFilters, viewHref, type Layout, type SavedView } from '@/lib/views.ts';
import { Icon } from '../icons.tsx';
import { useProject } from '../project/project-context.tsx';
import { useToast } from '../toast.tsx';
import { Button, IconButton } from '../ui.tsx';
import { useResource } from '../use-api.ts';
import { useUrlFilters } from '../filters-bar.tsx';
import '../search/search.css';

export function SavedViews() {
  const { project, can } = useProject();
  const { filters, sort } = useUrlFilters();
  const pathname = usePathname();
  const toast = useToast();
  const menu = useRef<HTMLDetailsElement>(null);
  const layout: Layout = pathname.endsWith('/board') ? 'board' : 'list';
  const base = `/projects/${encodeURIComponent(project.key)}/views`;
  const views = useResource(`views-${project.key}`, (signal) =>
    api.get<{ items: SavedView[] }>(base, undefined, signal),
  );
  const [name, setName] = useState('');
  const [share, setShare] = useState(false);
  const [busy, setBusy] = useState(false);
  const items = views.data?.items ?? [];
  const current = items.find((v) => isCurrentView(v, { filters, sort, layout }));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    try {
      await api.post(base, {
        name: name.trim(),
        filters: viewFilters(filters),
        sort,
        layout,
        shared: share,
      });
      setName('');
      setShare(false);
      await views.reload();
      toast('success', `View “${name.trim()}” saved`);
    } catch (err) {
      toast('error', `Not saved: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const setShared = async (v: SavedView, shared: boolean) => {
    try {
      await api.patch(`${base}/${v.id}`, { shared });
      await views.reload();
    } catch (err) {
      toast('error', describeError(err));
    }
  };
  const remove = async (v: SavedView) => {
    try {
      await api.del(`${base}/${v.id}`);
      await views.reload();
      toast('success', `View “${v.name}” deleted`);
    } catch (err) {
      toast('error', describeError(err));
    }
  };

  return (
    <details className="menu" ref={menu}>
      <summary className={current ? 'filter-btn active' : 'filter-btn'} data-testid="views-menu">
        <Icon name="folder" size={14} />
        {current ? current.name : 'Views'}
        <Icon name="chevronDown" size={14} />
      </summary>
      <div className="menu-pop views-pop" role="group" aria-label="Saved views">
        {views.error ? <p className="menu-empty">{describeError(views.error)}</p> : null}
        {views.data && items.length === 0 ? <p className="menu-empty">No saved views yet</p> : null}
        {items.map((v) => (
          <div className="views-row" key={v.id}>
            <Link
              className="menu-item"
              href={viewHref(project.key, v)}
              aria-current={v === current ? 'true' : undefined}
              onClick={() => menu.current?.removeAttribute('open')}
            >
              <span className="truncate">{v.name}</span>
              <span className="muted small">
                {v.layout}
                {v.shared ? ' · shared' : ''}
                {v.canEdit || !v.shared ? '' : ` · ${v.ownerName}`}
              </span>
            </Link>
            {v.canEdit ? (
              <>
                <label className="small" title="Visible to everyone in the project">
                  <input
                    type="checkbox"
                    checked={v.shared}
                    aria-label={`Share “${v.name}” with the project`}
                    disabled={!v.shared && !can('member')}
                    onChange={(e) => void setShared(v, e.target.checked)}
                  />{' '}
                  Shared
                </label>
                <IconButton
                  icon="trash"
                  label={`Delete view “${v.name}”`}
                  onClick={() => void remove(v)}
                />
              </>
            ) : null}
          </div>
        ))}
        <form className="views-form" onSubmit={save}>
          <input
            type="text"
            aria-label="View name"
            placeholder={`Name this ${layout} view`}
            maxLength={80}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          {can('member') ? (
            <label className="small">
              <input type="checkbox" checked={share} onChange={(e) => setShare(e.target.checked)} />{' '}
              Share with the project
            </label>
          ) : null}
          <Button type="submit" size="sm" variant="primary" loading={busy} disabled={!name.trim()}>
            Save current view
          </Button>
        </form>
      </div>
    </details>
  );
}

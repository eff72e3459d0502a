'use client';
// The full results page (/search?q=…): ranked hits across projects with highlighted matches,
// pages of 20 (cursor stack for Previous/Next), ↑/↓ move between results, Enter opens one.
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '@/lib/client/api.ts';
import { taskHref } from '@/lib/search.ts';
import { Icon } from '../icons.tsx';
import { Button, EmptyState, ErrorState, Loading } from '../ui.tsx';
import { useResource } from '../use-api.ts';
import { HitBody } from './highlighted.tsx';
import type { SearchResult } from './types.ts';
import './search.css';

const PAGE_SIZE = 20;

export function SearchPage() {
  const params = useSearchParams();
  const router = useRouter();
  const q = (params.get('q') ?? '').trim();
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  useEffect(() => setCursors([null]), [q]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useResource(q ? `search-${q}-${cursor ?? ''}` : null, (signal) =>
    api.get<SearchResult>('/search', { q, limit: PAGE_SIZE, cursor: cursor ?? undefined }, signal),
  );
  const list = useRef<HTMLUListElement>(null);

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = [...(list.current?.querySelectorAll<HTMLAnchorElement>('a.search-result') ?? [])];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = e.key === 'ArrowDown' ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
    e.preventDefault();
    links[next]?.focus();
  };
  const first = cursors.length === 1;
  const data = page.data;

  return (
    <div className="page narrow">
      <div className="page-head">
        <div>
          <h1>Search</h1>
          <p className="muted">Titles, descriptions, comments and keys in all your projects.</p>
        </div>
      </div>
      <form
        className="search-page-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const t = text.trim();
          router.replace(t ? `/search?q=${encodeURIComponent(t)}` : '/search');
        }}
      >
        <div className="search">
          <Icon name="search" />
          <input
            type="search"
            className="search-input"
            aria-label="Search query"
            placeholder="Words, or a key like WEB-42"
            value={text}
            maxLength={200}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                list.current?.querySelector<HTMLAnchorElement>('a.search-result')?.focus();
              }
            }}
          />
        </div>
        <Button type="submit" variant="primary">
          Search
        </Button>
      </form>
      {!q ? (
        <EmptyState icon="search" title="Search your projects" text="Press / anywhere to start." />
      ) : page.error ? (
        <ErrorState error={page.error} onRetry={() => void page.reload()} />
      ) : !data ? (
        <Loading label="Searching…" />
      ) : data.items.length === 0 && first ? (
        <EmptyState icon="search" title="No results" text={`No task matches “${q}”.`} />
      ) : (
        <>
          <p className="muted small" aria-live="polite" data-testid="search-total">
            {data.total}
            {data.capped ? '+' : ''} {data.total === 1 ? 'result' : 'results'}
            {data.capped ? ' (the most recent matches; refine the words to see others)' : ''}
          </p>
          <ul
            ref={list}
            className="search-results card"
            aria-label="Search results"
            onKeyDown={onListKey}
          >
            {data.items.map((hit) => (
              <li key={hit.task.id}>
                <Link
                  className="search-result"
                  href={taskHref(hit.task.projectKey, hit.task.number)}
                  data-testid={`search-result-${hit.task.key}`}
                >
                  <HitBody hit={hit} />
                </Link>
              </li>
            ))}
          </ul>
          <div className="search-pager">
            <Button
              size="sm"
              disabled={first}
              onClick={() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c))}
            >
              Previous
            </Button>
            <span className="muted small">Page {cursors.length}</span>
            <Button
              size="sm"
              disabled={!data.nextCursor}
              onClick={() => data.nextCursor && setCursors((c) => [...c, data.nextCursor])}
            >
              Next
            </Button>
          </div>
        </>
      )}
    </div>
  );
}

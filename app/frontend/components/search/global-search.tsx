'use client';
// The global search box in the sidebar: "/" or Ctrl/Cmd-K focuses it; typing shows the best
// matches across every project the user can see (debounced); ↑/↓ choose, Enter opens the chosen
// task (or the full results page), Escape closes.
import { usePathname, useRouter } from 'next/navigation';
import { createPortal } from 'react-dom';
import { useEffect, useId, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { describeError } from '@/lib/api-error.ts';
import { api } from '@/lib/client/api.ts';
import { isSearchShortcut, taskHref } from '@/lib/search.ts';
import { Icon } from '../icons.tsx';
import { HitBody } from './highlighted.tsx';
import type { SearchResult } from './types.ts';
import './search.css';

const DEBOUNCE_MS = 200;
const PREVIEW = 8;

export function GlobalSearch() {
  const router = useRouter();
  const pathname = usePathname();
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<CSSProperties>({});
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  // The answer and the query it answers: a list for an older query is never shown or chosen.
  const [answer, setAnswer] = useState<{ q: string; result: SearchResult } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      // Not `{ ...e }`: an event's fields are prototype getters, which a spread does not copy.
      const { key, ctrlKey, metaKey, altKey } = e;
      const target = e.target as HTMLElement | null;
      if (!isSearchShortcut({ key, ctrlKey, metaKey, altKey, target })) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
      setOpen(true);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => setOpen(false), [pathname]);

  const term = q.trim();
  useEffect(() => {
    setActive(-1);
    if (term.length < 2) {
      setAnswer(null);
      setError(null);
      return;
    }
    const ctrl = new AbortController();
    const t = window.setTimeout(() => {
      setLoading(true);
      api
        .get<SearchResult>('/search', { q: term, limit: PREVIEW }, ctrl.signal)
        .then((r) => {
          setAnswer({ q: term, result: r });
          setError(null);
        })
        .catch((err: unknown) => {
          if ((err as Error).name !== 'AbortError') setError(describeError(err));
        })
        .finally(() => setLoading(false));
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(t);
      ctrl.abort();
    };
  }, [term]);

  const result = answer?.q === term ? answer.result : null;
  const items = result?.items ?? [];
  // The options: each hit, then "all results".
  const count = items.length + (term ? 1 : 0);
  const allHref = `/search?q=${encodeURIComponent(term)}`;
  const go = (href: string) => {
    setOpen(false);
    input.current?.blur();
    router.push(href);
  };
  const choose = (i: number) => {
    const hit = items[i];
    if (hit) go(taskHref(hit.task.projectKey, hit.task.number));
    else go(allHref);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (count === 0) return;
      setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % count : a <= 0 ? count - 1 : a - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      // Nothing chosen: the full results page.
      if (term.length >= 2) choose(active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (open && term) setOpen(false);
      else input.current?.blur();
    }
  };
  const optionId = (i: number) => `${listId}-o${i}`;
  const show = open && term.length > 0;
  // The sidebar scrolls (overflow), which would clip the list: place it fixed under the box.
  useEffect(() => {
    if (!show) return;
    const measure = () => {
      const r = box.current?.getBoundingClientRect();
      if (!r) return;
      setPlace({
        top: r.bottom + 4,
        left: r.left,
        width: Math.max(r.width, Math.min(480, window.innerWidth - r.left - 12)),
      });
    };
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [show]);

  return (
    <div className="global-search" role="search">
      <div className="search" ref={box}>
        <Icon name="search" />
        <input
          ref={input}
          type="search"
          className="search-input"
          placeholder="Search"
          aria-label="Search all projects"
          role="combobox"
          aria-expanded={show}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={show && active >= 0 ? optionId(active) : undefined}
          aria-keyshortcuts="/ Control+K Meta+K"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          // Clicks on options land first (they prevent the blur), then the list closes.
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {q ? null : (
          <kbd className="search-kbd" aria-hidden="true">
            /
          </kbd>
        )}
      </div>
      {/* In a portal: the sidebar is its own stacking context and scrolls, which would put the
          list under the page or clip it. */}
      {show
        ? createPortal(
            <ul
              id={listId}
              role="listbox"
              aria-label="Search results"
              className="search-pop"
              style={place}
            >
              {term.length < 2 ? (
                <li className="search-pop-note">Type at least 2 letters</li>
              ) : error ? (
                <li className="search-pop-note" role="alert">
                  {error}
                </li>
              ) : result && items.length === 0 && !loading ? (
                <li className="search-pop-note">No tasks match “{term}”</li>
              ) : !result ? (
                <li className="search-pop-note">Searching…</li>
              ) : null}
              {items.map((hit, i) => (
                <li
                  key={hit.task.id}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  className="search-option"
                  data-testid={`search-option-${hit.task.key}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => choose(i)}
                >
                  <HitBody hit={hit} />
                </li>
              ))}
              {term.length >= 2 ? (
                <li
                  id={optionId(items.length)}
                  role="option"
                  aria-selected={active === items.length}
                  className="search-option"
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setActive(items.length)}
                  onClick={() => go(allHref)}
                >
                  <span className="small">
                    All results for “{term}”
                    {result ? ` (${result.total}${result.capped ? '+' : ''})` : ''}
                  </span>
                </li>
              ) : null}
            </ul>,
            document.body,
          )
        : null}
    </div>
  );
}

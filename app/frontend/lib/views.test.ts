import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_FILTERS } from './filters.ts';
import { isCurrentView, viewFilters, viewHref, viewState } from './views.ts';

test('viewFilters keeps only what is set', () => {
  assert.deepEqual(viewFilters(EMPTY_FILTERS), {});
  assert.deepEqual(viewFilters({ ...EMPTY_FILTERS, priority: ['high'], q: ' x ' }), {
    priority: ['high'],
    q: 'x',
  });
});

test('viewHref opens the layout with filters, sort and the view id', () => {
  const href = viewHref('WEB', {
    id: 'v1',
    filters: { priority: ['urgent', 'high'], assignee: ['me'], state: ['s1'] },
    sort: 'priority',
    layout: 'list',
  });
  const u = new URL(href, 'http://x');
  assert.equal(u.pathname, '/projects/WEB/list');
  assert.equal(u.searchParams.get('priority'), 'urgent,high');
  assert.equal(u.searchParams.get('assignee'), 'me');
  assert.equal(u.searchParams.get('sort'), 'priority');
  assert.equal(u.searchParams.get('view'), 'v1');
});

test('viewState ignores what the web app does not filter on; bad sorts fall back', () => {
  const s = viewState({ filters: { state: ['x'], q: 'hi' }, sort: 'nonsense' as never });
  assert.deepEqual(s.filters, { ...EMPTY_FILTERS, q: 'hi' });
  assert.equal(s.sort, '-created');
});

test('isCurrentView compares filters as sets, layout, and sort on lists', () => {
  const v = {
    filters: { priority: ['high', 'urgent'] },
    sort: 'priority' as const,
    layout: 'list' as const,
  };
  const cur = {
    filters: { ...EMPTY_FILTERS, priority: ['urgent', 'high'] as ('urgent' | 'high')[] },
    sort: 'priority' as const,
    layout: 'list' as const,
  };
  assert.equal(isCurrentView(v, cur), true);
  assert.equal(isCurrentView(v, { ...cur, sort: '-created' }), false);
  assert.equal(isCurrentView(v, { ...cur, layout: 'board' }), false);
  assert.equal(
    isCurrentView({ ...v, layout: 'board' }, { ...cur, layout: 'board', sort: '-created' }),
    true,
  );
});

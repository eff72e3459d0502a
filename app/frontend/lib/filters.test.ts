import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiQuery,
  EMPTY_FILTERS,
  hasActiveFilters,
  matchesFilters,
  matchesText,
  nextSort,
  parseFilters,
  parseSort,
  sortState,
  toggle,
  writeFilters,
} from './filters.ts';

describe('parseFilters', () => {
  it('reads repeated and comma-separated values, de-duplicated', () => {
    const p = new URLSearchParams(
      'assignee=me,u1&assignee=u1&label=l1&priority=high,bogus,low&q=login',
    );
    assert.deepEqual(parseFilters(p), {
      assignee: ['me', 'u1'],
      label: ['l1'],
      priority: ['high', 'low'],
      q: 'login',
    });
  });
  it('drops values that are not ids (injection attempts)', () => {
    const p = new URLSearchParams('assignee=$gt&label=a b&label=ok');
    assert.deepEqual(parseFilters(p).assignee, []);
    assert.deepEqual(parseFilters(p).label, ['ok']);
  });
  it('empty when nothing is set', () => {
    assert.deepEqual(parseFilters(new URLSearchParams('')), EMPTY_FILTERS);
    assert.equal(hasActiveFilters(EMPTY_FILTERS), false);
    assert.equal(parseFilters(new URLSearchParams('q=%20%20')).q, '');
  });
});

describe('writeFilters', () => {
  it('round-trips and keeps unrelated parameters', () => {
    const f = { assignee: ['u1'], label: ['l1', 'l2'], priority: ['urgent' as const], q: 'bug' };
    const out = writeFilters('task=42&q=old', f);
    assert.equal(out.get('task'), '42');
    assert.deepEqual(parseFilters(out), f);
    assert.equal(hasActiveFilters(f), true);
  });
  it('omits empty filters and the default sort', () => {
    assert.equal(writeFilters('', EMPTY_FILTERS, '-created').toString(), '');
    assert.equal(writeFilters('sort=number', EMPTY_FILTERS, '-created').toString(), '');
    assert.equal(writeFilters('', EMPTY_FILTERS, 'priority').toString(), 'sort=priority');
  });
  it('leaves sort alone when not given', () => {
    assert.equal(writeFilters('sort=number', EMPTY_FILTERS).toString(), 'sort=number');
  });
});

describe('sort', () => {
  it('parses known sorts only', () => {
    assert.equal(parseSort(new URLSearchParams('sort=-priority')), '-priority');
    assert.equal(parseSort(new URLSearchParams('sort=evil')), '-created');
  });
  it('toggles ascending then descending, and reports state', () => {
    assert.equal(nextSort('-created', 'number'), 'number');
    assert.equal(nextSort('number', 'number'), '-number');
    assert.equal(nextSort('-number', 'number'), 'number');
    assert.equal(sortState('-number', 'number'), 'descending');
    assert.equal(sortState('number', 'number'), 'ascending');
    assert.equal(sortState('number', 'priority'), 'none');
  });
});

describe('helpers', () => {
  it('apiQuery adds paging parameters', () => {
    const q = apiQuery(
      { ...EMPTY_FILTERS, priority: ['high'] },
      { limit: '25', cursor: undefined },
    );
    assert.equal(q.toString(), 'priority=high&limit=25');
  });
  it('toggle adds and removes', () => {
    assert.deepEqual(toggle(['a'], 'b'), ['a', 'b']);
    assert.deepEqual(toggle(['a', 'b'], 'a'), ['b']);
  });
  it('matchesText matches title substrings and exact keys', () => {
    const t = { title: 'Fix Login page', key: 'WEB-7' };
    assert.equal(matchesText(t, 'login'), true);
    assert.equal(matchesText(t, 'web-7'), true);
    assert.equal(matchesText(t, 'web-'), false);
    assert.equal(matchesText(t, ''), true);
  });
});

describe('matchesFilters', () => {
  const task = {
    title: 'Fix login',
    key: 'WEB-1',
    assigneeIds: ['u1'],
    labelIds: ['l1'],
    priority: 'high',
  };
  const f = (over: Partial<typeof EMPTY_FILTERS>) => ({ ...EMPTY_FILTERS, ...over });
  it('matches everything with no filters', () => {
    assert.equal(matchesFilters(task, EMPTY_FILTERS, null), true);
  });
  it('assignee: ids, me and none (any of)', () => {
    assert.equal(matchesFilters(task, f({ assignee: ['u2'] }), 'u1'), false);
    assert.equal(matchesFilters(task, f({ assignee: ['me'] }), 'u1'), true);
    assert.equal(matchesFilters(task, f({ assignee: ['me'] }), null), false);
    assert.equal(matchesFilters(task, f({ assignee: ['none', 'u1'] }), null), true);
    assert.equal(
      matchesFilters({ ...task, assigneeIds: [] }, f({ assignee: ['none'] }), null),
      true,
    );
  });
  it('labels, priority and text combine with AND', () => {
    assert.equal(matchesFilters(task, f({ label: ['l2', 'l1'], priority: ['high'] }), null), true);
    assert.equal(matchesFilters(task, f({ label: ['l1'], priority: ['low'] }), null), false);
    assert.equal(matchesFilters(task, f({ q: 'logout' }), null), false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  changeValue,
  dateInputValue,
  dueStatus,
  formatBytes,
  formatDate,
  hueFor,
  initials,
  relativeTime,
} from './format.ts';

describe('format', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  it('relativeTime', () => {
    assert.equal(relativeTime('2026-03-10T11:59:40Z', now), 'just now');
    assert.equal(relativeTime('2026-03-10T11:55:00Z', now), '5 minutes ago');
    assert.equal(relativeTime('2026-03-09T12:00:00Z', now), 'yesterday');
    assert.equal(relativeTime('2026-03-12T12:00:00Z', now), 'in 2 days');
    assert.equal(relativeTime('garbage', now), '');
  });
  it('dates ignore the time zone', () => {
    assert.equal(formatDate('2026-03-04'), 'Mar 4, 2026');
    assert.equal(formatDate('2026-03-04T23:30:00.000Z'), 'Mar 4, 2026');
    assert.equal(formatDate(null), '');
    assert.equal(dateInputValue('2026-03-04T00:00:00.000Z'), '2026-03-04');
    assert.equal(dateInputValue(null), '');
  });
  it('dueStatus', () => {
    assert.equal(dueStatus('2026-03-09', '2026-03-10'), 'overdue');
    assert.equal(dueStatus('2026-03-10T00:00:00Z', '2026-03-10'), 'today');
    assert.equal(dueStatus('2026-03-12', '2026-03-10'), 'soon');
    assert.equal(dueStatus('2026-04-12', '2026-03-10'), 'later');
    assert.equal(dueStatus(null, '2026-03-10'), null);
  });
  it('bytes, initials, hues, change values', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(25 * 1024 * 1024), '25 MB');
    assert.equal(initials('Ada  Lovelace'), 'AL');
    assert.equal(initials('cher'), 'C');
    assert.equal(initials(' '), '?');
    assert.equal(hueFor('abc'), hueFor('abc'));
    assert.ok(hueFor('abc') >= 0 && hueFor('abc') < 360);
    assert.equal(changeValue(null), 'none');
    assert.equal(changeValue(['a', 'b']), 'a, b');
    assert.equal(changeValue(3), '3');
  });
});

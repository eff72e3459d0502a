import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WrittenStatuses } from './written-statuses.ts';

interface S {
  phase?: string;
  conditions?: { type: string; status: string }[];
  other?: string;
}
const obj = (rv: string, status: S, uid = 'u1') => ({
  metadata: { namespace: 'ns', name: 'demo', uid, resourceVersion: rv },
  status,
});

test('the write is laid over a read of the same resourceVersion (a cache not caught up yet)', () => {
  const w = new WrittenStatuses<S>(['phase', 'conditions']);
  const read = obj('10', { phase: 'Pending', other: 'theirs' });
  w.remember(read, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
  const again = w.overlay(obj('10', { phase: 'Pending', other: 'theirs' }));
  assert.deepEqual(again.status, {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    other: 'theirs',
  });
});

test('a field the write left out is absent from the overlay (the merge patch removed it)', () => {
  const w = new WrittenStatuses<S>(['phase', 'conditions']);
  w.remember(obj('10', { phase: 'Pending', conditions: [] }), { phase: 'Running' });
  assert.deepEqual(w.overlay(obj('10', { phase: 'Pending', conditions: [] })).status, {
    phase: 'Running',
  });
});

test('a newer resourceVersion is taken as it is and drops the record', () => {
  const w = new WrittenStatuses<S>(['phase']);
  w.remember(obj('10', { phase: 'Pending' }), { phase: 'Running' });
  const newer = obj('11', { phase: 'Failed' });
  assert.equal(w.overlay(newer), newer);
  assert.equal(w.size, 0);
  // The old resourceVersion no longer matches anything either.
  assert.deepEqual(w.overlay(obj('10', { phase: 'Pending' })).status, { phase: 'Pending' });
});

test('another object of the same name (recreated: new uid) is not overlaid; forget drops records', () => {
  const w = new WrittenStatuses<S>(['phase']);
  w.remember(obj('10', {}), { phase: 'Running' });
  assert.deepEqual(w.overlay(obj('10', {}, 'u2')).status, {});
  w.forget('ns', 'demo');
  assert.equal(w.size, 0);
});

test('the overlay is a copy: changing it does not change the record', () => {
  const w = new WrittenStatuses<S>(['conditions']);
  w.remember(obj('10', {}), { conditions: [{ type: 'Ready', status: 'True' }] });
  const first = w.overlay(obj('10', {}));
  first.status?.conditions?.push({ type: 'X', status: 'False' });
  assert.equal(w.overlay(obj('10', {})).status?.conditions?.length, 1);
});

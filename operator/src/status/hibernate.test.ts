import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCondition } from '../api/status.ts';
import { makeInstance } from '../render/test-fixtures.ts';
import { computeStatus, type ObservedWorkload } from './compute.ts';
import { hibernatedStatus, withWakeCondition } from './hibernate.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const w = (spec: number, pods: number): ObservedWorkload => ({
  metadata: { generation: 2 },
  spec: { replicas: spec },
  status: { observedGeneration: 2, replicas: pods, readyReplicas: pods, updatedReplicas: pods },
});

describe('hibernatedStatus', () => {
  const i = makeInstance({ hibernate: true });
  const observed = (pods: number) => ({
    workloads: new Map([
      ['acme-backend', w(0, pods)],
      ['acme-minio', w(0, 0)],
    ]),
    missingRefs: new Map(),
  });

  it('is Hibernating while pods stop, Hibernated once none is left', () => {
    const a = hibernatedStatus(i, observed(1), undefined, t0);
    assert.equal(a.phase, 'Hibernating');
    assert.equal(findCondition(a.conditions, 'Hibernated')?.reason, 'ScalingDown');
    assert.match(findCondition(a.conditions, 'Hibernated')?.message ?? '', /acme-backend \(1\)/);
    const b = hibernatedStatus(i, observed(0), a, t1);
    assert.equal(b.phase, 'Hibernated');
    const h = findCondition(b.conditions, 'Hibernated');
    assert.equal(h?.status, 'True');
    assert.equal(h?.reason, 'ScaledToZero');
    assert.equal(h?.lastTransitionTime, t1.toISOString());
    assert.equal(findCondition(b.conditions, 'Ready')?.reason, 'Hibernated');
    assert.deepEqual(b.components, {
      backend: { ready: 0, desired: 0 },
      objectStorage: { ready: 0, desired: 0 },
    });
  });

  it('after waking keeps Hibernated=False (Awake) only for an instance that hibernated', () => {
    const asleep = hibernatedStatus(i, observed(0), undefined, t0);
    const awake = makeInstance({});
    const none = { workloads: new Map(), missingRefs: new Map() };
    const woken = withWakeCondition(computeStatus(awake, none, asleep, t1), asleep, t1);
    const h = findCondition(woken.conditions, 'Hibernated');
    assert.equal(h?.status, 'False');
    assert.equal(h?.reason, 'Awake');
    const never = withWakeCondition(computeStatus(awake, none, undefined, t1), undefined, t1);
    assert.equal(findCondition(never.conditions, 'Hibernated'), undefined);
  });
});

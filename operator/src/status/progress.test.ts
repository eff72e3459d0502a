import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition, PmsInstanceStatus } from '../api/status.ts';
import { onlyProgress } from './progress.ts';

const cond = (
  type: string,
  status: Condition['status'],
  message = '',
  reason = 'R',
): Condition => ({
  type,
  status,
  reason,
  message,
  observedGeneration: 1,
  lastTransitionTime: '2026-11-30T10:00:00.000Z',
});
const base = (): PmsInstanceStatus => ({
  observedGeneration: 1,
  phase: 'Provisioning',
  url: 'https://a.example.com',
  conditions: [
    cond('Ready', 'False', 'not ready: backend, Redis', 'ComponentsNotReady'),
    cond('BackendReady', 'False', '0/1 replicas ready'),
    cond('RedisReady', 'False', '0/1 replicas ready'),
  ],
  components: { backend: { ready: 0, desired: 1 }, redis: { ready: 0, desired: 1 } },
});

test('one more component ready, Ready still False: progress only', () => {
  const next = base();
  next.conditions = [
    cond('Ready', 'False', 'not ready: Redis', 'ComponentsNotReady'),
    {
      ...cond('BackendReady', 'True', '1/1 replicas ready'),
      lastTransitionTime: '2026-11-30T10:00:05.000Z',
    },
    cond('RedisReady', 'False', '0/1 replicas ready'),
  ];
  next.components = { backend: { ready: 1, desired: 1 }, redis: { ready: 0, desired: 1 } };
  assert.equal(onlyProgress(base(), next), true);
});

test('no previous status, Ready turning True, a new phase or generation: not progress only', () => {
  assert.equal(onlyProgress(undefined, base()), false);
  const ready = base();
  ready.conditions = [
    {
      ...cond('Ready', 'True', 'every component is ready', 'AllComponentsReady'),
      lastTransitionTime: 'x',
    },
    ...(ready.conditions ?? []).slice(1),
  ];
  assert.equal(onlyProgress(base(), ready), false);
  assert.equal(onlyProgress(base(), { ...base(), phase: 'Ready' }), false);
  assert.equal(onlyProgress(base(), { ...base(), observedGeneration: 2 }), false);
  assert.equal(onlyProgress(base(), { ...base(), version: '0.2.0' }), false);
});

test('a condition that is not a component (Upgrading) or one added or removed: not progress only', () => {
  const upgrading = base();
  upgrading.conditions = [...(upgrading.conditions ?? []), cond('Upgrading', 'True')];
  assert.equal(onlyProgress(base(), upgrading), false);
  const prev = { ...base(), conditions: [...(base().conditions ?? []), cond('Upgrading', 'True')] };
  const step = {
    ...base(),
    conditions: [...(base().conditions ?? []), cond('Upgrading', 'True', 'rolling out')],
  };
  assert.equal(onlyProgress(prev, step), false);
  const fewer = { ...base(), conditions: (base().conditions ?? []).slice(0, 2) };
  assert.equal(onlyProgress(base(), fewer), false);
});

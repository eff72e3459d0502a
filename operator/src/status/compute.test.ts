import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeInstance } from '../render/test-fixtures.ts';
import {
  computeStatus,
  invalidSpecStatus,
  jsonEqual,
  pausedStatus,
  workloadReady,
  type ObservedWorkload,
} from './compute.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

const ready = (replicas: number, generation = 1): ObservedWorkload => ({
  metadata: { generation },
  status: {
    observedGeneration: generation,
    replicas,
    readyReplicas: replicas,
    updatedReplicas: replicas,
    availableReplicas: replicas,
  },
});

const all = (over: Record<string, ObservedWorkload | undefined> = {}) => {
  const m = new Map<string, ObservedWorkload>();
  const base: Record<string, ObservedWorkload | undefined> = {
    'acme-backend': ready(1),
    'acme-frontend': ready(1),
    'acme-worker': ready(1),
    'acme-mongodb': ready(1),
    'acme-redis': ready(1),
    'acme-minio': ready(1),
    ...over,
  };
  for (const [k, v] of Object.entries(base)) if (v) m.set(k, v);
  return { workloads: m, missingRefs: new Map<string, string>() };
};

describe('computeStatus', () => {
  it('is Ready when every component is, with one condition per component', () => {
    const s = computeStatus(makeInstance(), all(), undefined, t0);
    assert.equal(s.phase, 'Ready');
    assert.equal(s.observedGeneration, 3);
    assert.equal(s.url, 'http://acme.pms.example.com');
    assert.equal(s.version, '2.1.0');
    assert.deepEqual(
      s.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ['Ready', 'True', 'AllComponentsReady'],
        ['BackendReady', 'True', 'Ready'],
        ['FrontendReady', 'True', 'Ready'],
        ['WorkerReady', 'True', 'Ready'],
        ['MongoDBReady', 'True', 'Ready'],
        ['RedisReady', 'True', 'Ready'],
        ['ObjectStorageReady', 'True', 'Ready'],
      ],
    );
    assert.ok(
      s.conditions?.every(
        (c) => c.lastTransitionTime === t0.toISOString() && c.observedGeneration === 3,
      ),
    );
    assert.deepEqual(s.components?.backend, { ready: 1, desired: 1 });
  });

  it('is Provisioning first, Degraded after having been Ready, and keeps transition times', () => {
    const missing = computeStatus(
      makeInstance(),
      all({ 'acme-mongodb': undefined }),
      undefined,
      t0,
    );
    assert.equal(missing.phase, 'Provisioning');
    const mongo = missing.conditions?.find((c) => c.type === 'MongoDBReady');
    assert.equal(mongo?.reason, 'NotFound');
    assert.equal(missing.conditions?.[0]?.message, 'not ready: MongoDB');

    const ok = computeStatus(makeInstance(), all(), undefined, t0);
    const degraded = computeStatus(
      makeInstance(),
      all({
        'acme-backend': {
          ...ready(1),
          status: { observedGeneration: 1, replicas: 1, readyReplicas: 0, updatedReplicas: 1 },
        },
      }),
      ok,
      t1,
    );
    assert.equal(degraded.phase, 'Degraded');
    const backend = degraded.conditions?.find((c) => c.type === 'BackendReady');
    assert.equal(backend?.status, 'False');
    assert.equal(backend?.lastTransitionTime, t1.toISOString());
    // Unchanged conditions keep their time.
    assert.equal(
      degraded.conditions?.find((c) => c.type === 'RedisReady')?.lastTransitionTime,
      t0.toISOString(),
    );
    // Recomputing the same state yields an identical status (so nothing is written).
    assert.ok(jsonEqual(computeStatus(makeInstance(), all(), ok, t1), ok));
  });

  it('reports external stores and missing referenced Secrets', () => {
    const i = makeInstance({ mongodb: { external: { uriSecretRef: { name: 'db', key: 'uri' } } } });
    const o = all({ 'acme-mongodb': undefined });
    o.missingRefs.set('MongoDBReady', 'Secret db not found');
    const s = computeStatus(i, o, undefined, t0);
    const mongo = s.conditions?.find((c) => c.type === 'MongoDBReady');
    assert.deepEqual(
      [mongo?.status, mongo?.reason, mongo?.message],
      ['False', 'SecretNotFound', 'Secret db not found'],
    );
    assert.equal(s.phase, 'Provisioning');
    o.missingRefs.clear();
    assert.equal(
      computeStatus(i, o, undefined, t0).conditions?.find((c) => c.type === 'MongoDBReady')?.reason,
      'External',
    );
  });

  it('treats a workload whose controller has not seen the new spec as not ready', () => {
    assert.equal(workloadReady(ready(2, 5), 2), true);
    assert.equal(workloadReady({ ...ready(2, 5), metadata: { generation: 6 } }, 2), false);
    assert.equal(workloadReady(ready(2), 3), false);
    assert.equal(
      workloadReady({ metadata: { generation: 1 }, status: { observedGeneration: 1 } }, 0),
      true,
    );
  });

  it('reports Paused and InvalidSpec', () => {
    const ok = computeStatus(makeInstance(), all(), undefined, t0);
    const p = pausedStatus(makeInstance({ paused: true }), ok, t1);
    assert.equal(p.phase, 'Paused');
    assert.deepEqual(p.conditions?.[0]?.status, 'Unknown');
    assert.equal(p.conditions?.length, ok.conditions?.length);
    const bad = invalidSpecStatus(4, 'spec.backend.env: bad', ok, t1);
    assert.equal(bad.phase, 'Failed');
    assert.deepEqual(
      [bad.conditions?.[0]?.reason, bad.conditions?.[0]?.message],
      ['InvalidSpec', 'spec.backend.env: bad'],
    );
    assert.equal(bad.observedGeneration, 4);
  });
});

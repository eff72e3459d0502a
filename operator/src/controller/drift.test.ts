import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftPaths, inSync } from './drift.ts';

describe('driftPaths', () => {
  it('ignores fields only the live object has (defaults, other managers)', () => {
    assert.ok(
      inSync(
        { spec: { replicas: 2 } },
        { spec: { replicas: 2, progressDeadlineSeconds: 600 }, status: {} },
      ),
    );
  });
  it('finds changed scalars, missing fields and list length changes', () => {
    assert.deepEqual(driftPaths({ spec: { replicas: 2 } }, { spec: { replicas: 5 } }), [
      'spec.replicas',
    ]);
    assert.deepEqual(driftPaths({ a: { b: 'x' } }, {}), ['a']);
    assert.deepEqual(driftPaths({ l: [1, 2] }, { l: [1] }), ['l']);
    assert.deepEqual(driftPaths({ l: [{ n: 'a' }] }, { l: [{ n: 'b', extra: 1 }] }), ['l[0].n']);
  });
  it('treats normalised quantities and empty values as equal', () => {
    assert.ok(inSync({ cpu: '0.5' }, { cpu: '500m' }));
    assert.ok(inSync({ memory: '1024Mi' }, { memory: '1Gi' }));
    assert.ok(!inSync({ memory: '1Gi' }, { memory: '2Gi' }));
    assert.ok(inSync({ annotations: {}, ingress: [] }, {}));
    assert.ok(!inSync({ name: 'a' }, { name: 'b' }));
  });
});

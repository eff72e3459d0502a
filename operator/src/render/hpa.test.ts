import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidSpecError } from '../api/spec.ts';
import { renderChildren, type Child } from './index.ts';
import { makeInstance } from './test-fixtures.ts';

const find = (cs: Child[], kind: string, name: string) => {
  const c = cs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(c, `${kind}/${name} rendered`);
  return c as Child & { spec: Record<string, unknown> };
};
const kinds = (cs: Child[], kind: string) =>
  cs.filter((c) => c.kind === kind).map((c) => c.metadata.name);

describe('autoscaling', () => {
  it('renders an autoscaling/v2 HPA and leaves the Deployment replicas to it', () => {
    const cs = renderChildren(
      makeInstance({
        backend: { replicas: 5, autoscaling: { minReplicas: 2, maxReplicas: 6 } },
      }),
    );
    const hpa = find(cs, 'HorizontalPodAutoscaler', 'acme-backend');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec, {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'acme-backend' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
    });
    assert.equal(hpa.metadata.labels['app.kubernetes.io/component'], 'backend');
    assert.equal(hpa.metadata.ownerReferences[0]?.uid, 'uid-1234');
    // Not even the key: a server-side apply without the field gives up its ownership.
    assert.equal('replicas' in find(cs, 'Deployment', 'acme-backend').spec, false);
    assert.equal(find(cs, 'Deployment', 'acme-frontend').spec.replicas, 1);
    assert.deepEqual(kinds(cs, 'HorizontalPodAutoscaler'), ['acme-backend']);
  });

  it('renders no HPA for a disabled component or without autoscaling', () => {
    assert.deepEqual(kinds(renderChildren(makeInstance({})), 'HorizontalPodAutoscaler'), []);
    const off = makeInstance({
      frontend: { enabled: false, autoscaling: { maxReplicas: 3 } },
    });
    assert.deepEqual(kinds(renderChildren(off), 'HorizontalPodAutoscaler'), []);
  });

  it('keeps PodDisruptionBudgets right in both modes', () => {
    const pdb = (spec: Record<string, unknown>, name: string) =>
      renderChildren(makeInstance(spec)).find(
        (c) => c.kind === 'PodDisruptionBudget' && c.metadata.name === name,
      )?.spec as Record<string, unknown> | undefined;
    // Fixed replicas: one pod at a time.
    assert.deepEqual(pdb({ frontend: { replicas: 3 } }, 'acme-frontend')?.maxUnavailable, 1);
    // Autoscaled: one below the declared minimum stays available, whatever replicas says.
    const auto = pdb(
      { frontend: { replicas: 1, autoscaling: { minReplicas: 3, maxReplicas: 9 } } },
      'acme-frontend',
    );
    assert.equal(auto?.minAvailable, 2);
    assert.equal(auto && 'maxUnavailable' in auto, false);
    // minReplicas 1: a PDB could only block drains.
    assert.equal(
      pdb({ frontend: { replicas: 4, autoscaling: { maxReplicas: 9 } } }, 'acme-frontend'),
      undefined,
    );
  });

  it('refuses minReplicas above maxReplicas (the CRD does too)', () => {
    assert.throws(
      () => makeInstance({ backend: { autoscaling: { minReplicas: 4, maxReplicas: 2 } } }),
      InvalidSpecError,
    );
  });
});

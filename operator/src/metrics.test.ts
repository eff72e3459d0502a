import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics, metricNames } from './metrics.ts';

describe('metrics', () => {
  it('uses the controller-runtime style names the dashboards expect', async () => {
    const m = createMetrics({
      instances: () => [
        { kind: 'PmsInstance', phase: 'Ready', count: 3 },
        { kind: 'PmsInstance', phase: 'Provisioning', count: 1 },
      ],
    });
    m.reconcileTotal.inc({ controller: 'pmsinstance', result: 'success' });
    m.reconcileErrors.inc({ controller: 'pmsinstance' });
    m.reconcileDuration.observe({ controller: 'pmsinstance', result: 'success' }, 0.02);
    m.workqueueDepth.set({ controller: 'pmsinstance' }, 2);
    m.leader.set(1);
    const text = await m.registry.metrics();
    for (const line of [
      '# TYPE pms_operator_reconcile_total counter',
      'pms_operator_reconcile_total{controller="pmsinstance",result="success"} 1',
      'pms_operator_reconcile_errors_total{controller="pmsinstance"} 1',
      '# TYPE pms_operator_reconcile_duration_seconds histogram',
      'pms_operator_reconcile_duration_seconds_bucket{le="0.025",controller="pmsinstance",result="success"} 1',
      'pms_operator_workqueue_depth{controller="pmsinstance"} 2',
      'pms_operator_instances{kind="PmsInstance",phase="Ready"} 3',
      'pms_operator_instances{kind="PmsInstance",phase="Provisioning"} 1',
      'pms_operator_leader 1',
    ]) {
      assert.ok(text.includes(line), `missing: ${line}`);
    }
    assert.deepEqual(
      Object.values(metricNames).filter((n) => !n.startsWith('pms_operator_')),
      [],
    );
  });

  it('keeps registries separate per operator', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.leader.set(1);
    assert.match(await b.registry.metrics(), /pms_operator_leader 0/);
  });
});

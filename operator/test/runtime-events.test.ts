// The EventRecorder against the real API server (as the operator's ServiceAccount): repeats
// aggregate into one Event's series, floods are dropped by the per-object token bucket, and
// a failure to record never throws into the caller.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { KubeEventRecorder } from '../src/events.ts';
import { createLogger } from '../src/log.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
} from './support/operator-kubeconfig.ts';
import type { OperatorIdentity } from './support/operator-kubeconfig.ts';

describe('EventRecorder', () => {
  let admin: KubeConfig;
  let ns: string;
  let identity: OperatorIdentity;
  let cm: V1ConfigMap;

  before(async () => {
    admin = adminKubeConfig();
    ns = await createTestNamespace(admin, 'rt-events');
    identity = await operatorKubeConfig(admin, ns);
    cm = await admin.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: ns,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target' } },
    });
    cm.apiVersion = 'v1';
    cm.kind = 'ConfigMap';
  });

  after(async () => {
    await identity?.cleanup();
    if (ns) await deleteTestNamespace(admin, ns);
  });

  const eventsOf = async (name: string) =>
    (
      await admin.makeApiClient(CoreV1Api).listNamespacedEvent({
        namespace: ns,
        fieldSelector: `involvedObject.name=${name}`,
      })
    ).items;

  it('records a Warning with the reporting controller and the regarding object', async () => {
    const rec = new KubeEventRecorder({
      kc: identity.kc,
      log: createLogger('silent'),
      instance: 'pod-1',
    });
    await rec.record(cm, 'Warning', 'InvalidSpec', 'spec.host: must be a DNS name');
    const [e] = await eventsOf('target');
    assert.equal(e?.type, 'Warning');
    assert.equal(e?.reason, 'InvalidSpec');
    assert.equal(e?.message, 'spec.host: must be a DNS name');
    assert.equal(e?.involvedObject.kind, 'ConfigMap');
    assert.equal(e?.involvedObject.uid, cm.metadata?.uid);
    assert.equal(e?.reportingComponent, 'pms.io/pms-operator');
    assert.equal(e?.reportingInstance, 'pod-1');
  });

  it('aggregates repeats and rate-limits floods per object', async () => {
    const other = await admin.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'flooded' } },
    });
    other.apiVersion = 'v1';
    other.kind = 'ConfigMap';
    const rec = new KubeEventRecorder({
      kc: identity.kc,
      log: createLogger('silent'),
      instance: 'pod-1',
      burst: 3,
      seriesFlushMs: 60_000,
    });
    for (let i = 0; i < 5; i++) await rec.record(other, 'Normal', 'Same', 'same message');
    for (let i = 0; i < 5; i++) await rec.record(other, 'Normal', 'Distinct', `message ${i}`);
    // 1 creation for the repeats (4 aggregated in memory), then 2 more tokens for distinct ones.
    assert.deepEqual(
      { ...rec.stats },
      { created: 3, updated: 0, aggregated: 4, dropped: 3, failed: 0 },
    );
    assert.equal((await eventsOf('flooded')).length, 3);
  });

  it('never throws when the API refuses', async () => {
    const rec = new KubeEventRecorder({
      kc: identity.kc,
      log: createLogger('silent'),
      instance: 'x',
    });
    await rec.record(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'y', namespace: 'kube-system-nope' },
      },
      'Normal',
      'Nope',
      'namespace does not exist',
    );
    assert.equal(rec.stats.failed, 1);
  });
});

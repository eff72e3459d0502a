import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { stripForCache } from '../runtime/strip.ts';
import {
  APPLIED_HASH_ANNOTATION,
  DriftChecker,
  appliedHash,
  withAppliedHash,
  writesSinceApply,
} from './drift-check.ts';

const rendered = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'demo-backend', namespace: 'ns', labels: { a: '1' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'api', image: 'pms:1' }] } } },
});

const entry = (manager: string, operation: string, time: string, subresource?: string) => ({
  manager,
  operation,
  time,
  ...(subresource ? { subresource } : {}),
  fieldsV1: { 'f:spec': {} },
});

/** The live object as the API server returns it: what was applied plus defaults and status. */
function liveOf(desired: KubernetesObject, managedFields: ReturnType<typeof entry>[]) {
  const d = desired as KubernetesObject & { spec: Record<string, unknown> };
  return {
    ...d,
    metadata: { ...d.metadata, uid: 'u1', resourceVersion: '7', managedFields },
    spec: { ...d.spec, revisionHistoryLimit: 10 },
    status: { readyReplicas: 2 },
  } as unknown as KubernetesObject;
}

const compact = (o: KubernetesObject) => stripForCache(structuredClone(o));

describe('appliedHash', () => {
  it('is the same for the same rendered object, and changes with any value', () => {
    const a = rendered();
    assert.equal(appliedHash(a), appliedHash(rendered()));
    const c = rendered();
    c.spec.template.spec.containers = [{ name: 'api', image: 'pms:2' }];
    assert.notEqual(appliedHash(a), appliedHash(c));
    const removed = rendered() as { spec: Record<string, unknown> };
    delete removed.spec.replicas;
    assert.notEqual(appliedHash(a), appliedHash(removed));
  });

  it('annotates a copy with the hash of the rendered object and leaves that alone', () => {
    const r = rendered();
    const a = withAppliedHash(r) as KubernetesObject;
    assert.equal(a.metadata?.annotations?.[APPLIED_HASH_ANNOTATION], appliedHash(rendered()));
    assert.deepEqual(r, rendered());
  });
});

describe('writesSinceApply', () => {
  const ours = entry('pms-operator', 'Apply', '2026-11-30T10:00:00Z');
  it('is undefined when nobody but the status writers came after our apply', () => {
    const live = liveOf(rendered(), [
      entry('kube-controller-manager', 'Update', '2026-11-30T09:59:59Z'),
      ours,
      entry('kube-controller-manager', 'Update', '2026-11-30T10:05:00Z', 'status'),
    ]);
    assert.equal(writesSinceApply(live), undefined);
    assert.equal(writesSinceApply(compact(live)), undefined);
  });

  it('names a later write, one in the same second, a scale, and a missing apply of ours', () => {
    for (const other of [
      entry('kubectl-edit', 'Update', '2026-11-30T10:00:01Z'),
      entry('kube-controller-manager', 'Update', '2026-11-30T10:00:00Z'),
      entry('kubectl', 'Update', '2026-11-30T10:07:00Z', 'scale'),
      entry('pms-operator', 'Update', '2026-11-30T10:00:02Z'),
    ]) {
      const live = liveOf(rendered(), [ours, other]);
      assert.ok(writesSinceApply(live), JSON.stringify(other));
      assert.equal(writesSinceApply(compact(live)), writesSinceApply(live), 'same text compacted');
    }
    assert.ok(writesSinceApply(liveOf(rendered(), [])));
  });
});

describe('DriftChecker', () => {
  const ours = entry('pms-operator', 'Apply', '2026-11-30T10:00:00Z');
  const desired = () => withAppliedHash(rendered()) as KubernetesObject;

  it('is in sync from the compact form alone when the hash matches and nobody else wrote', async () => {
    const c = new DriftChecker();
    const live = compact(liveOf(desired(), [ours]));
    assert.equal((live as { spec?: unknown }).spec !== undefined, true);
    const paths = await c.drift(desired(), live, () => assert.fail('no read expected'));
    assert.deepEqual(paths, []);
    assert.equal(c.reads, 0);
  });

  it('applies without a read when the rendered object changed (hash differs)', async () => {
    const c = new DriftChecker();
    const live = compact(liveOf(desired(), [ours]));
    const changed = rendered();
    changed.spec.replicas = 3;
    const paths = await c.drift(withAppliedHash(changed), live, () => assert.fail('no read'));
    assert.deepEqual(paths, [`metadata.annotations.${APPLIED_HASH_ANNOTATION}`]);
  });

  it('reads the full object after another write: drift when it changed a field we render', async () => {
    const c = new DriftChecker();
    const edited = liveOf(desired(), [
      ours,
      entry('kubectl-edit', 'Update', '2026-11-30T11:00:00Z'),
    ]);
    (edited as { spec: { replicas: number } }).spec.replicas = 5;
    let reads = 0;
    const paths = await c.drift(desired(), compact(edited), async () => {
      reads += 1;
      return edited;
    });
    assert.deepEqual(paths, ['spec.replicas']);
    assert.equal(reads, 1);
  });

  it('remembers a harmless write: one read, then none until somebody writes again', async () => {
    const c = new DriftChecker();
    const annotated = liveOf(desired(), [
      ours,
      entry('kube-controller-manager', 'Update', '2026-11-30T10:00:00Z'),
    ]);
    const read = async () => annotated;
    assert.deepEqual(await c.drift(desired(), compact(annotated), read), []);
    assert.deepEqual(await c.drift(desired(), compact(annotated), read), []);
    assert.equal(c.reads, 1);
    const again = liveOf(desired(), [
      ours,
      entry('kube-controller-manager', 'Update', '2026-11-30T10:30:00Z'),
    ]);
    assert.deepEqual(await c.drift(desired(), compact(again), async () => again), []);
    assert.equal(c.reads, 2);
  });

  it('takes its own apply as verified (a write in the same second as ours needs no read)', async () => {
    const c = new DriftChecker();
    const applied = liveOf(desired(), [
      entry('kube-controller-manager', 'Update', '2026-11-30T10:00:00Z'),
      ours,
    ]);
    c.remember(applied);
    assert.deepEqual(await c.drift(desired(), compact(applied), () => assert.fail('no read')), []);
  });

  it('says missing when the full read finds nothing', async () => {
    const c = new DriftChecker();
    const live = compact(liveOf(desired(), [entry('kubectl', 'Update', '2026-11-30T10:00:00Z')]));
    assert.deepEqual(await c.drift(desired(), live, async () => undefined), ['(missing)']);
  });

  it('compares a full object (a LIST without the runtime) field by field', async () => {
    const c = new DriftChecker();
    const live = liveOf(desired(), [ours]);
    (live as { spec: { replicas: number } }).spec.replicas = 1;
    assert.deepEqual(await c.drift(desired(), live, () => assert.fail('no read')), [
      'spec.replicas',
    ]);
  });
});

describe('stripForCache', () => {
  it('keeps metadata, the spec fields reconciles read and workload status; drops the rest', () => {
    const live = liveOf(withAppliedHash(rendered()) as KubernetesObject, [
      entry('pms-operator', 'Apply', '2026-11-30T10:00:00Z'),
    ]);
    (live.metadata as Record<string, unknown>).annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}',
      [APPLIED_HASH_ANNOTATION]: 'h',
    };
    const c = stripForCache(live) as KubernetesObject & Record<string, unknown>;
    assert.deepEqual(c.spec, { replicas: 2 });
    assert.deepEqual(c.status, { readyReplicas: 2 });
    assert.deepEqual(c.metadata?.annotations, { [APPLIED_HASH_ANNOTATION]: 'h' });
    assert.deepEqual(c.metadata?.managedFields, [
      { manager: 'pms-operator', operation: 'Apply', time: '2026-11-30T10:00:00Z' },
    ]);
    assert.equal(c.metadata?.uid, 'u1');
    assert.ok((live as Record<string, unknown>).status, 'the input is not modified');
    const secret = stripForCache({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: 'c2VjcmV0' },
    } as KubernetesObject) as Record<string, unknown>;
    assert.equal(secret.data, undefined);
    const svc = stripForCache({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
      status: { loadBalancer: {} },
    } as KubernetesObject) as Record<string, unknown>;
    assert.equal(svc.spec, undefined);
    assert.equal(svc.status, undefined);
  });
});

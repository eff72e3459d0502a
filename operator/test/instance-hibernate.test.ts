// spec.hibernate on the real API server with pods on kwok nodes: every workload goes to 0 (pods
// gone), the backup CronJob is suspended, PVCs and Secrets stay, condition Hibernated and phase
// Hibernated; waking returns to Ready with the same claims and credentials.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { condition, InstanceHarness, type Obj } from './support/instance-harness.ts';
import { eventually } from './support/pms.ts';

const h = new InstanceHarness();
const workloads: [string, string][] = [
  ['Deployment', 'sleepy-backend'],
  ['Deployment', 'sleepy-frontend'],
  ['Deployment', 'sleepy-worker'],
  ['Deployment', 'sleepy-redis'],
  ['StatefulSet', 'sleepy-mongodb'],
  ['StatefulSet', 'sleepy-minio'],
];
const claims = ['data-sleepy-mongodb-0', 'data-sleepy-minio-0'];
const secrets = ['sleepy-mongodb', 'sleepy-redis', 'sleepy-minio', 'sleepy-jwt', 'sleepy-admin'];

async function podsOf(): Promise<number> {
  const list = await h.client.list(
    'v1',
    'Pod',
    h.ns,
    undefined,
    undefined,
    undefined,
    undefined,
    'app.kubernetes.io/instance=sleepy',
  );
  // Completed Job pods (the bucket Job) are not running workloads.
  return list.items.filter(
    (p) => (p as Obj & { status?: { phase?: string } }).status?.phase !== 'Succeeded',
  ).length;
}

const suspended = async () =>
  ((await h.read('batch/v1', 'CronJob', 'sleepy-backup'))?.spec as { suspend?: boolean })?.suspend;

describe('PmsInstance hibernate', () => {
  const uids = new Map<string, string | undefined>();
  before(async () => {
    await h.start('hib', ['sleepy']);
    await h.create('sleepy', {
      frontend: { replicas: 2 },
      backup: { enabled: true, schedule: '0 3 * * *' },
    });
  });
  after(() => h.stop());

  it('starts Ready with claims, Secrets and a running backup schedule', async () => {
    await h.waitReady('sleepy');
    for (const c of claims) {
      const pvc = await h.read('v1', 'PersistentVolumeClaim', c);
      assert.equal((pvc?.status as { phase?: string })?.phase, 'Bound', c);
      uids.set(c, pvc?.metadata?.uid);
    }
    for (const s of secrets) uids.set(s, (await h.read('v1', 'Secret', s))?.metadata?.uid);
    assert.equal(await suspended(), false);
    assert.ok(await h.read('policy/v1', 'PodDisruptionBudget', 'sleepy-frontend'));
    assert.ok((await podsOf()) >= 7);
  });

  it('hibernates: every workload at 0 and no pod left, CronJob suspended, data kept', async () => {
    await h.patchSpec('sleepy', { hibernate: true });
    const o = await h.waitInstance('sleepy', 'Hibernated', (x) => x.status?.phase === 'Hibernated');
    const hib = condition(o, 'Hibernated');
    assert.equal(hib?.status, 'True');
    assert.equal(hib?.reason, 'ScaledToZero');
    assert.equal(condition(o, 'Ready')?.status, 'False');
    assert.equal(condition(o, 'Ready')?.reason, 'Hibernated');
    for (const [kind, name] of workloads) {
      const w = await h.read('apps/v1', kind, name);
      assert.equal(w?.spec?.replicas, 0, name);
      assert.equal((w?.status as { replicas?: number })?.replicas ?? 0, 0, name);
    }
    assert.equal(await podsOf(), 0);
    assert.equal(await suspended(), true);
    assert.equal(await h.read('policy/v1', 'PodDisruptionBudget', 'sleepy-frontend'), undefined);
    for (const c of claims) {
      const pvc = await h.read('v1', 'PersistentVolumeClaim', c);
      assert.equal(pvc?.metadata?.uid, uids.get(c), `${c} kept`);
      assert.equal((pvc?.status as { phase?: string })?.phase, 'Bound', c);
    }
    for (const s of secrets)
      assert.equal((await h.read('v1', 'Secret', s))?.metadata?.uid, uids.get(s), `${s} kept`);
    // The printer column Phase reads status.phase.
    assert.equal(o.status?.phase, 'Hibernated');
  });

  it('wakes up to Ready with the same claims', async () => {
    await h.patchSpec('sleepy', { hibernate: null });
    const o: Obj = await h.waitReady('sleepy', 120_000);
    const hib = condition(o, 'Hibernated');
    assert.equal(hib?.status, 'False');
    assert.equal(hib?.reason, 'Awake');
    assert.equal(await suspended(), false);
    for (const [kind, name] of workloads)
      assert.ok(
        (((await h.read('apps/v1', kind, name))?.spec?.replicas as number) ?? 0) >= 1,
        name,
      );
    await eventually('frontend PDB back', () =>
      h.read('policy/v1', 'PodDisruptionBudget', 'sleepy-frontend'),
    );
    for (const c of claims)
      assert.equal((await h.read('v1', 'PersistentVolumeClaim', c))?.metadata?.uid, uids.get(c));
  });
});

// spec.backend.autoscaling on the real API server: the operator renders an autoscaling/v2 HPA,
// creates the Deployment without owning spec.replicas, and a replica count written by another
// manager (as the HPA controller does through /scale) survives reconciles; a Deployment with
// fixed replicas gets its count back (the control). PodDisruptionBudgets in both modes, and
// switching autoscaling off hands the count back to spec.replicas.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InstanceHarness, type Obj } from './support/instance-harness.ts';
import { eventually, rawRequest, sleep } from './support/pms.ts';

const h = new InstanceHarness();
const deployment = (name: string) => h.read('apps/v1', 'Deployment', name);
const replicasOf = async (name: string) => (await deployment(name))?.spec?.replicas;

/** Writes spec.replicas through the scale subresource as another field manager, as the HPA does. */
async function scale(name: string, replicas: number): Promise<void> {
  const res = await rawRequest(
    h.admin,
    'PATCH',
    `/apis/apps/v1/namespaces/${h.ns}/deployments/${name}/scale?fieldManager=someone-else`,
    { spec: { replicas } },
    'application/merge-patch+json',
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const backendIs = (o: Obj, n: number) => {
  const b = (o.status?.components as Record<string, { ready: number; desired: number }>)?.backend;
  return o.status?.phase === 'Ready' && b?.ready === n && b.desired === n;
};

describe('PmsInstance autoscaling (HPA)', () => {
  before(async () => {
    await h.start('hpa', ['auto']);
    await h.create('auto', {
      backend: { replicas: 5, autoscaling: { minReplicas: 2, maxReplicas: 4 } },
      frontend: { replicas: 2 },
    });
  });
  after(() => h.stop());

  it('renders the HPA and lets it set the Deployment replicas', async () => {
    const hpa = await eventually('HPA', () =>
      h.read('autoscaling/v2', 'HorizontalPodAutoscaler', 'auto-backend'),
    );
    assert.equal(hpa.spec?.minReplicas, 2);
    assert.equal(hpa.spec?.maxReplicas, 4);
    assert.deepEqual(
      { ...(hpa.spec?.scaleTargetRef as object) },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'auto-backend',
      },
    );
    // spec.backend.replicas (5) is not applied; the HPA controller raises 1 to its minimum.
    await eventually(
      'HPA scales the backend to minReplicas',
      async () => (await replicasOf('auto-backend')) === 2,
      60_000,
    );
    const d = await deployment('auto-backend');
    const managers = (d?.metadata?.managedFields ?? [])
      .filter((m) => JSON.stringify(m.fieldsV1 ?? {}).includes('"f:replicas"'))
      .map((m) => m.manager);
    assert.ok(!managers.includes('pms-operator'), `replicas managed by ${managers.join(', ')}`);
    // Status follows the HPA's count (a Deployment scaled by it is not "not ready").
    await h.waitInstance('auto', 'Ready at 2/2 backends', (o: Obj) => backendIs(o, 2));
  });

  it('keeps PodDisruptionBudgets right in both modes', async () => {
    const backend = await eventually('backend PDB', () =>
      h.read('policy/v1', 'PodDisruptionBudget', 'auto-backend'),
    );
    assert.equal(backend.spec?.minAvailable, 1);
    assert.equal(backend.spec?.maxUnavailable, undefined);
    const frontend = await h.read('policy/v1', 'PodDisruptionBudget', 'auto-frontend');
    assert.equal(frontend?.spec?.maxUnavailable, 1);
  });

  it("does not revert a replica count the HPA set, but reverts a fixed Deployment's", async () => {
    await scale('auto-backend', 3);
    await scale('auto-frontend', 3);
    // The control: the operator owns the frontend's count and puts it back.
    await eventually(
      'frontend back to 2',
      async () => (await replicasOf('auto-frontend')) === 2,
      30_000,
    );
    // Several reconciles (resync every second) later the backend still has the other value.
    await sleep(5000);
    assert.equal(await replicasOf('auto-backend'), 3);
    await h.waitInstance('auto', 'Ready at 3/3 backends', (o: Obj) => backendIs(o, 3));
  });

  it('hands the count back to spec.replicas when autoscaling is removed', async () => {
    await h.patchSpec('auto', { backend: { replicas: 2, autoscaling: null } });
    await eventually(
      'HPA pruned',
      async () =>
        (await h.read('autoscaling/v2', 'HorizontalPodAutoscaler', 'auto-backend')) === undefined,
    );
    await eventually('backend at 2', async () => (await replicasOf('auto-backend')) === 2, 30_000);
    const pdb = await eventually('backend PDB in fixed mode', async () => {
      const p = await h.read('policy/v1', 'PodDisruptionBudget', 'auto-backend');
      return p?.spec?.maxUnavailable === 1 ? p : undefined;
    });
    assert.equal(pdb.spec?.minAvailable, undefined);
    await h.waitReady('auto');
  });
});

// Optional fields leave the cluster when they leave the spec: for each of ingress TLS,
// ingress className, an ingress annotation, a backend resource limit and imagePullSecrets, the
// operator (real reconcile, operator's RBAC, real API server) sets it, then removes it from
// the live object once the spec drops it. Then the steady state: with a 1 s resync, reconciles
// that find nothing changed write nothing (counted by a proxy).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { InstanceHarness, type Obj } from './support/instance-harness.ts';
import { eventually, sleep } from './support/pms.ts';

const h = new InstanceHarness();

type Pod = {
  imagePullSecrets?: { name: string }[];
  containers: { name: string; resources?: { limits?: Record<string, string> } }[];
};

const read = (apiVersion: string, kind: string, name: string) => h.read(apiVersion, kind, name);

// Raw JSON shapes (the typed client's models are not needed to look at a few fields).
const ingress = async () => {
  const o = await read('networking.k8s.io/v1', 'Ingress', 'drift-ingress');
  return o as
    (Obj & { spec: { ingressClassName?: string; tls?: { secretName?: string }[] } }) | undefined;
};
const backendPod = async (): Promise<Pod | undefined> => {
  const o = await read('apps/v1', 'Deployment', 'drift-backend');
  return (o?.spec as { template?: { spec?: Pod } } | undefined)?.template?.spec;
};
const backendLimits = async () =>
  (await backendPod())?.containers.find((c) => c.name === 'backend')?.resources?.limits ?? {};

/** Merge-patches the instance's spec (null removes a field). */
const patchSpec = (spec: Record<string, unknown>) => h.patchSpec('drift', spec);

describe('PmsInstance: fields removed from the spec leave the live objects', () => {
  before(async () => {
    await h.start('drift', ['drift'], [pmsInstanceController], { countRequests: true });
    await h.create('drift', {
      image: { pullSecrets: [{ name: 'regcred' }] },
      ingress: {
        className: 'traefik',
        annotations: { 'example.com/owner': 'team-a', 'example.com/keep': 'yes' },
        tls: { secretName: 'drift-tls' },
      },
      backend: { resources: { limits: { cpu: '1.10', memory: '512Mi' } } },
    });
  });
  after(() => h.stop());

  it('sets every optional field', async () => {
    const ing = await eventually('the Ingress', async () => {
      const o = await ingress();
      return o?.spec.tls?.length ? o : undefined;
    });
    assert.equal(ing.spec.ingressClassName, 'traefik');
    assert.equal(ing.spec.tls?.[0]?.secretName, 'drift-tls');
    assert.equal(ing.metadata?.annotations?.['example.com/owner'], 'team-a');
    const pod = await eventually('the backend Deployment', backendPod);
    assert.deepEqual(
      pod.imagePullSecrets?.map((p) => p.name),
      ['regcred'],
    );
    assert.equal((await backendLimits()).cpu, '1100m');
  });

  it('ingress TLS removed from the spec leaves the Ingress', async () => {
    await patchSpec({ ingress: { tls: null } });
    await eventually('tls gone', async () => ((await ingress())?.spec.tls ? undefined : true));
  });

  it('ingress className removed from the spec leaves the Ingress', async () => {
    await patchSpec({ ingress: { className: null } });
    await eventually('className gone', async () =>
      (await ingress())?.spec.ingressClassName ? undefined : true,
    );
  });

  it('an annotation removed from the spec leaves the Ingress; the others stay', async () => {
    await patchSpec({ ingress: { annotations: { 'example.com/owner': null } } });
    const ing = await eventually('annotation gone', async () => {
      const o = await ingress();
      return o?.metadata?.annotations?.['example.com/owner'] ? undefined : o;
    });
    assert.equal(ing?.metadata?.annotations?.['example.com/keep'], 'yes');
  });

  it('a resource limit removed from the spec leaves the container', async () => {
    await patchSpec({ backend: { resources: { limits: { cpu: null } } } });
    const limits = await eventually('cpu limit gone', async () => {
      const l = await backendLimits();
      return l.cpu ? undefined : l;
    });
    assert.equal(limits.memory, '512Mi');
  });

  it('imagePullSecrets removed from the spec leave the pod template', async () => {
    await patchSpec({ image: { pullSecrets: null } });
    await eventually('imagePullSecrets gone', async () =>
      (await backendPod())?.imagePullSecrets?.length ? undefined : true,
    );
  });

  it('a reconcile that finds nothing changed writes nothing', async () => {
    // Let the last changes settle (status, roll-outs, a late event of the previous step on a
    // busy machine), then count: resync runs every second, so a reconcile that writes would
    // write in every window; a window of 3.5 s with reconciles and no write must come.
    let childWrites: string[] = [];
    let reconciles = 0;
    for (let window = 0; window < 8; window++) {
      const proxy = h.proxy as NonNullable<typeof h.proxy>;
      proxy.reset();
      const before = await h.reconciles();
      await sleep(3500);
      childWrites = proxy.writes.filter((w) => !/\/pmsinstances\/[^/]+\/status/.test(w));
      // Reconciles read from the informer caches (no request): counted from the metrics.
      reconciles = (await h.reconciles()) - before;
      if (childWrites.length === 0 && reconciles > 0) break;
    }
    assert.deepEqual(childWrites, [], 'no child or event written in steady state');
    assert.ok(reconciles > 0, 'reconciles ran meanwhile');
  });
});

// `helm install` of charts/pms-operator on the test environment's API server: the release
// creates the operator's Deployment with the spec `helm template` renders (so what the chart
// test compares with config/default is what lands), the RBAC with the same rules, and CRDs that
// the API server serves; `helm upgrade` changes a value on the live object; `helm uninstall`
// removes every object of the release and its record (the CRDs stay: Helm never deletes crds/,
// and custom resources would go with them). The release gets its own name and namespace, so
// its cluster-wide objects (ClusterRole, ClusterRoleBinding) cannot collide with another
// install on the same API server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { testEnv } from '@pms/testenv';
import { chartDir } from '../src/helm.ts';
import type { K8sObject } from '../src/objects.ts';
import { chartMeta, helm, renderChart } from './helm.ts';
import { kubeClients } from './kube.ts';

const release = `pkg-helm-${process.pid}`;
const namespace = release;
const fullname = `${release}-pms-operator`;

/** The object the API server holds, or undefined after a 404. */
async function read(
  objects: k8s.KubernetesObjectApi,
  o: K8sObject,
): Promise<k8s.KubernetesObject | undefined> {
  try {
    return await objects.read({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
    });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

describe('helm install on the test API server', () => {
  const kubeconfig = testEnv('kube').kubeconfig;
  const c = kubeClients();
  const objects = k8s.KubernetesObjectApi.makeApiClient(c.kc);
  let rendered: K8sObject[] = [];
  const releaseObjects = () => rendered.filter((o) => o.kind !== 'CustomResourceDefinition');

  before(() => {
    rendered = renderChart(release, namespace);
  });
  after(async () => {
    helm(['uninstall', release, '--namespace', namespace, '--ignore-not-found'], kubeconfig);
    await c.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('installs the release: the Deployment has the rendered spec, RBAC the rendered rules', async () => {
    const r = helm(
      ['install', release, chartDir, '--namespace', namespace, '--create-namespace'],
      kubeconfig,
    );
    assert.equal(r.status, 0, `helm install failed:\n${r.stderr}`);
    assert.match(r.stdout, /STATUS: deployed/);
    assert.match(r.stdout, /kubectl pms admin-password/, 'NOTES.txt is shown');

    const want = rendered.find((o) => o.kind === 'Deployment') as K8sObject & {
      spec: { replicas: number; selector: unknown; template: { spec: Record<string, unknown> } };
    };
    const live = (await read(objects, want)) as k8s.V1Deployment | undefined;
    assert.ok(live, `Deployment ${namespace}/${fullname} exists`);
    assert.equal(live.metadata?.name, fullname);
    assert.equal(live.metadata?.annotations?.['meta.helm.sh/release-name'], release);
    assert.equal(live.spec?.replicas, want.spec.replicas);
    assert.deepEqual(JSON.parse(JSON.stringify(live.spec?.selector)), want.spec.selector);
    const pod = live.spec?.template.spec;
    const c0 = pod?.containers[0];
    const w0 = (want.spec.template.spec.containers as k8s.V1Container[])[0];
    assert.equal(c0?.image, `ghcr.io/pms/pms-operator:${chartMeta().appVersion}`);
    assert.equal(c0?.image, w0?.image);
    // The API server stores an empty value as no value.
    const envOf = (c: k8s.V1Container | undefined) =>
      c?.env?.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value ?? '']);
    assert.deepEqual(envOf(c0), envOf(w0));
    assert.equal(c0?.resources?.limits?.memory, w0?.resources?.limits?.memory);
    assert.equal(c0?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(pod?.serviceAccountName, fullname);

    const role = (await read(
      objects,
      rendered.find((o) => o.kind === 'ClusterRole') as K8sObject,
    )) as k8s.V1ClusterRole | undefined;
    const wantRules = (rendered.find((o) => o.kind === 'ClusterRole') as { rules?: unknown[] })
      .rules;
    assert.deepEqual(
      JSON.parse(JSON.stringify(role?.rules ?? [])),
      JSON.parse(JSON.stringify(wantRules)),
    );
    for (const o of releaseObjects()) assert.ok(await read(objects, o), `${o.kind} exists`);
    for (const crd of ['pmsinstances.pms.io', 'pmsbackups.pms.io', 'pmsrestores.pms.io']) {
      await c.ext.readCustomResourceDefinition({ name: crd });
    }
  });

  it('`helm upgrade --set` changes the live Deployment', async () => {
    const r = helm(
      ['upgrade', release, chartDir, '--namespace', namespace, '--set', 'replicaCount=1'],
      kubeconfig,
    );
    assert.equal(r.status, 0, `helm upgrade failed:\n${r.stderr}`);
    const live = (await read(
      objects,
      rendered.find((o) => o.kind === 'Deployment') as K8sObject,
    )) as k8s.V1Deployment;
    assert.equal(live.spec?.replicas, 1);
    assert.equal(live.metadata?.labels?.['app.kubernetes.io/managed-by'], 'Helm');
  });

  it('`helm uninstall` removes every object of the release and its record', async () => {
    const r = helm(['uninstall', release, '--namespace', namespace, '--wait'], kubeconfig);
    assert.equal(r.status, 0, `helm uninstall failed:\n${r.stderr}`);
    for (const o of releaseObjects()) {
      assert.equal(await read(objects, o), undefined, `${o.kind} ${o.metadata.name} is gone`);
    }
    const list = helm(['list', '--namespace', namespace, '-o', 'json'], kubeconfig);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
    const status = helm(['status', release, '--namespace', namespace], kubeconfig);
    assert.notEqual(status.status, 0);
    assert.match(status.stderr, /not found/);
    const secrets = await c.core.listNamespacedSecret({
      namespace,
      labelSelector: `owner=helm,name=${release}`,
    });
    assert.deepEqual(secrets.items, [], 'no release record left');
  });
});

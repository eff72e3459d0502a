// Every manifest a user applies, accepted by a real kube-apiserver: each YAML file in config/
// and samples/ and the rendered dist/install.yaml and dist/monitoring.yaml go through a
// server-side-apply dry run (dryRun=All, fieldValidation=Strict). The CRDs are applied for
// real first (ours from crds/, the two Prometheus Operator kinds from a test fixture) so that
// custom resources are validated against their schemas. The samples' namespace is removed
// after; CRDs and pms-system stay (other workspaces' tests use the same ones).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildInstall } from '../src/build-install.ts';
import { findFiles, isYaml } from '../src/files.ts';
import { kustomizeObjects } from '../src/kustomize.ts';
import { readObjects, type K8sObject } from '../src/objects.ts';
import { repoRoot } from '../src/paths.ts';
import {
  apiMessage,
  apply,
  applyCrds,
  ensureNamespace,
  kubeClients,
  type Clients,
} from './kube.ts';

const samplesNamespace = `pkg-samples-${process.pid}`;
const isKustomization = (f: string) => /(^|\/)kustomization\.ya?ml$/.test(f);

/** Objects of the cluster-scoped kinds these manifests use. */
const clusterScoped = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
]);

let c: Clients;
const createdNamespaces: string[] = [];

async function dryRun(obj: K8sObject, where: string): Promise<void> {
  const o = structuredClone(obj);
  if (!clusterScoped.has(o.kind) && !o.metadata.namespace) o.metadata.namespace = samplesNamespace;
  if (o.metadata.namespace && !createdNamespaces.includes(o.metadata.namespace)) {
    if (await ensureNamespace(c, o.metadata.namespace))
      createdNamespaces.push(o.metadata.namespace);
  }
  try {
    await apply(c, o, true);
  } catch (err) {
    throw new Error(`${where}: ${o.kind}/${o.metadata.name} refused: ${apiMessage(err)}`, {
      cause: err,
    });
  }
}

/** The CRDs config/crd renders (crds/ through its kustomization). */
function crds(): K8sObject[] {
  return kustomizeObjects(join(repoRoot, 'config/crd'));
}

describe('manifests against the API server', () => {
  before(async () => {
    c = kubeClients();
    await applyCrds(c, [
      ...crds(),
      ...readObjects(join(import.meta.dirname, 'fixtures', 'monitoring-crds.yaml')),
    ]);
  });

  after(async () => {
    if (createdNamespaces.includes(samplesNamespace)) {
      await c.core.deleteNamespace({ name: samplesNamespace }).catch(() => undefined);
    }
  });

  it('the dry run refuses invalid objects and unknown fields (the check can fail)', async () => {
    const deployment = (spec: Record<string, unknown>): K8sObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad', namespace: 'default' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] },
        },
        ...spec,
      },
    });
    await dryRun(deployment({}), 'fixture');
    await assert.rejects(
      dryRun(deployment({ replicaz: 2 }), 'fixture'),
      /\.spec\.replicaz: field not declared in schema/,
    );
    await assert.rejects(dryRun(deployment({ replicas: -1 }), 'fixture'), /spec.replicas/);
  });

  const files = [
    ...findFiles('config', isYaml).filter((f) => !isKustomization(f)),
    ...findFiles('samples', isYaml),
  ];
  it('finds the manifests', () => {
    for (const f of ['config/manager/deployment.yaml', 'config/prometheus/prometheusrule.yaml']) {
      assert.ok(files.includes(f), `${f} is checked`);
    }
  });

  for (const file of files) {
    it(`${file} is accepted (server-side dry run)`, async () => {
      const objects = readObjects(join(repoRoot, file));
      assert.ok(objects.length > 0, `${file} holds at least one object`);
      for (const o of objects) await dryRun(o, file);
    });
  }

  it('dist/install.yaml and dist/monitoring.yaml render and are accepted', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pms-install-'));
    const files = buildInstall({ outDir: out });
    for (const f of [files.install, files.monitoring]) {
      const objects = readObjects(f);
      assert.ok(objects.length > 0);
      for (const o of objects) await dryRun(o, basename(f));
    }
    const kinds = readObjects(files.install).map((o) => o.kind);
    assert.equal(kinds[0], 'Namespace', 'the namespace comes first');
    for (const k of [
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRole',
      'Deployment',
      'Service',
    ]) {
      assert.ok(kinds.includes(k), `install.yaml holds a ${k}`);
    }
    assert.ok(kinds.lastIndexOf('CustomResourceDefinition') < kinds.indexOf('Deployment'));
  });

  it('every CR in samples/ is of a kind our CRDs define', () => {
    const defined = new Set(
      crds().map((crd) => {
        const spec = crd.spec as { group: string; names: { kind: string } };
        return `${spec.group}/${spec.names.kind}`;
      }),
    );
    for (const f of findFiles('samples', isYaml)) {
      for (const o of readObjects(join(repoRoot, f))) {
        const group = o.apiVersion.split('/')[0];
        if (group !== 'pms.io') continue;
        assert.ok(defined.has(`${group}/${o.kind}`), `${f}: ${o.kind}`);
      }
    }
  });

  it('the operator pod passes the restricted Pod Security Standard of its namespace', async () => {
    const manager = readObjects(join(repoRoot, 'config/manager/namespace.yaml'))[0];
    const labels = (manager?.metadata as { labels?: Record<string, string> }).labels ?? {};
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
    // A namespace of our own with the same labels (pms-system is shared with other tests).
    const ns = `pkg-psa-${process.pid}`;
    await apply(c, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } }, false);
    try {
      await apply(
        c,
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'pms-operator', namespace: ns },
        },
        false,
      );
      const deploy = readObjects(
        join(repoRoot, 'config/manager/deployment.yaml'),
      )[0] as K8sObject & {
        spec: { template: { metadata: Record<string, unknown>; spec: Record<string, unknown> } };
      };
      const pod = (spec: Record<string, unknown>): K8sObject => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pms-operator-psa', namespace: ns },
        spec,
      });
      const podSpec = structuredClone(deploy.spec.template.spec);
      await apply(c, pod(podSpec), true);
      // The check can fail: without the container's security context the pod is refused.
      const loose = structuredClone(podSpec) as { containers: Record<string, unknown>[] };
      for (const ctr of loose.containers) delete ctr.securityContext;
      const refused = await apply(c, pod(loose as Record<string, unknown>), true).then(
        () => 'accepted',
        (err: unknown) => apiMessage(err),
      );
      assert.match(refused, /violates PodSecurity "restricted/);
    } finally {
      await c.core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
  });
});

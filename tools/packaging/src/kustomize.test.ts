import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { build, buildObjects } from './kustomize.ts';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pms-kustomize-'));
  for (const [path, text] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, text);
  }
  return root;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: op }
spec:
  template:
    spec:
      containers: [{ name: op, image: ghcr.io/pms/pms-operator:0.1.0 }]
      initContainers: [{ name: init, image: busybox:1.37 }]
`;

describe('kustomize subset', () => {
  it('resolves nested kustomizations in order, sets the namespace on namespaced kinds only', () => {
    const root = tree({
      'crds/a.yaml':
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: as.x.io }\n',
      // A directory base whose kustomization file is named `Kustomization` (as crds/ is).
      'crds/Kustomization': 'resources: [a.yaml]\n',
      'config/crd/kustomization.yaml': 'resources: [../../crds]\n',
      'config/rbac/kustomization.yaml': 'resources: [rbac.yaml]\n',
      'config/rbac/rbac.yaml': [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: op }',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: op }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: op }\nsubjects: [{ kind: ServiceAccount, name: op, namespace: elsewhere }]',
      ].join('\n---\n'),
      'config/manager/kustomization.yaml': 'resources: [ns.yaml, deploy.yaml]\n',
      'config/manager/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: { name: sys }\n',
      'config/manager/deploy.yaml': deployment,
      'config/default/kustomization.yaml':
        'namespace: sys\nresources: [../crd, ../rbac, ../manager]\nimages:\n  - name: ghcr.io/pms/pms-operator\n    newName: registry.example.com/op\n    newTag: 9.9.9\n',
    });
    const objects = buildObjects(join(root, 'config/default'));
    assert.deepEqual(
      objects.map((o) => `${o.kind}:${o.metadata.namespace ?? '-'}`),
      [
        'CustomResourceDefinition:-',
        'ServiceAccount:sys',
        'ClusterRoleBinding:-',
        'Namespace:-',
        'Deployment:sys',
      ],
    );
    const crb = objects[2] as unknown as { subjects: { namespace: string }[] };
    assert.equal(crb.subjects[0]?.namespace, 'sys');
    const spec = (
      objects[4]?.spec as {
        template: {
          spec: { containers: { image: string }[]; initContainers: { image: string }[] };
        };
      }
    ).template.spec;
    assert.equal(spec.containers[0]?.image, 'registry.example.com/op:9.9.9');
    assert.equal(spec.initContainers[0]?.image, 'busybox:1.37');

    const rendered = parseAllDocuments(build(join(root, 'config/default'))).map(
      (d) => (d.toJS() as { kind: string }).kind,
    );
    assert.deepEqual(rendered, [
      'Namespace',
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRoleBinding',
      'Deployment',
    ]);
  });

  it('refuses what it does not implement, missing files, duplicates and invalid YAML', () => {
    assert.throws(
      () => buildObjects(tree({ 'kustomization.yaml': 'resources: []\npatches: []\n' })),
      /unsupported kustomization field\(s\) patches/,
    );
    assert.throws(
      () => buildObjects(tree({ 'kustomization.yaml': 'resources: [nope.yaml]\n' })),
      /resource nope.yaml does not exist/,
    );
    assert.throws(
      () =>
        buildObjects(
          tree({
            'kustomization.yaml': 'resources: [a.yaml, b.yaml]\n',
            'a.yaml': deployment,
            'b.yaml': deployment,
          }),
        ),
      /defined more than once/,
    );
    assert.throws(
      () =>
        buildObjects(
          tree({ 'kustomization.yaml': 'resources: [a.yaml]\n', 'a.yaml': 'kind: [\n' }),
        ),
      /a.yaml/,
    );
    assert.throws(
      () =>
        buildObjects(
          tree({ 'kustomization.yaml': 'resources: [a.yaml]\n', 'a.yaml': 'kind: X\n' }),
        ),
      /lacks apiVersion, kind or metadata.name/,
    );
    assert.throws(() => buildObjects(tree({ 'x.yaml': '' })), /no kustomization.yaml/);
  });
});

// The CRDs installed the way `npm start` installs them (installCrdDir with crds/ and the
// `pms-start` field manager) are stored exactly as written: every CEL rule and default survives.
// client-node's typed serializer used to drop them, so the local cluster accepted any spec.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Applier, installCrdDir, testEnv, type KubeObject } from '../src/index.ts';
import { repoRoot } from '../src/paths.ts';

interface CrdVersion {
  name: string;
  schema?: { openAPIV3Schema?: unknown };
}
type Crd = KubeObject & { spec: { versions: CrdVersion[] } };

function count(value: unknown, key: string): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + count(v, key), 0);
  if (value && typeof value === 'object') {
    return Object.entries(value).reduce((n, [k, v]) => n + (k === key ? 1 : 0) + count(v, key), 0);
  }
  return 0;
}

test('CRDs installed as `npm start` does keep their whole schema', async () => {
  const { kubeconfig } = testEnv('kube');
  // Twice: a second `npm start` on the same cluster converges (force, one field manager).
  await installCrdDir(kubeconfig, join(repoRoot, 'crds'), 'pms-start');
  const files = (await installCrdDir(kubeconfig, join(repoRoot, 'crds'), 'pms-start')) as Crd[];
  assert.ok(files.length >= 3, 'crds/ has the PmsInstance, PmsBackup and PmsRestore CRDs');
  const applier = await Applier.fromKubeconfig(kubeconfig);
  for (const file of files) {
    const live = (await applier.get(file)) as Crd | undefined;
    assert.ok(live, `${file.metadata.name} stored`);
    for (const version of file.spec.versions) {
      const stored: CrdVersion | undefined = live.spec.versions.find(
        (v: CrdVersion) => v.name === version.name,
      );
      assert.deepEqual(
        stored?.schema?.openAPIV3Schema,
        version.schema?.openAPIV3Schema,
        `${file.metadata.name} ${version.name}: stored schema equals the file's`,
      );
    }
  }
  const instance = files.find((f) => f.metadata.name === 'pmsinstances.pms.io');
  assert.ok(instance);
  assert.ok(count(instance, 'x-kubernetes-validations') > 10, 'the file has CEL rules');
  assert.ok(count(instance, 'default') > 10, 'the file has defaults');
});

test('the installed CRD enforces its CEL rules and fills its defaults', async () => {
  const { kubeconfig } = testEnv('kube');
  await installCrdDir(kubeconfig, join(repoRoot, 'crds'), 'pms-start');
  const applier = await Applier.fromKubeconfig(kubeconfig);
  const instance = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name: 'crd-install-check', namespace: 'default' },
    spec: { version: '0.1.0', host: 'pms.example.com', ...spec },
  });
  // Dry runs: admission and validation, nothing stored.
  const stored = await applier.apply(instance({}), { fieldManager: 'crd-test', dryRun: true });
  const spec = stored.spec as {
    backend?: { replicas?: number };
    image?: { pullPolicy?: string };
  };
  assert.equal(spec.backend?.replicas, 1, `defaults filled in: ${JSON.stringify(stored.spec)}`);
  assert.equal(spec.image?.pullPolicy, 'IfNotPresent');
  await assert.rejects(
    applier.apply(instance({ host: 'Not A Host' }), { fieldManager: 'crd-test', dryRun: true }),
    /422 Invalid.*spec.host must be a lowercase DNS name/s,
  );
});

// config/default with the real tools: stock `kubectl kustomize` (no flags, so no file outside a
// kustomization's own folder) renders exactly the objects `npm run build:install` writes to
// dist/install.yaml, and `kubectl apply --dry-run=server -k` has the test environment's API
// server accept every one of them (the CRDs' schemas and CEL rules included).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { testEnv } from '@pms/testenv';
import { buildInstall } from '../src/build-install.ts';
import { readObjects, type K8sObject } from '../src/kustomize.ts';
import { repoRoot } from '../src/paths.ts';
import { ensureNamespace, kubeClients } from './kube.ts';

function kubectl(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync('kubectl', args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error)
    throw new Error(`kubectl could not run (${r.error.message}); scripts/setup.sh installs it`);
  assert.equal(r.status, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

const id = (o: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('config/default with kubectl', () => {
  const out = mkdtempSync(join(tmpdir(), 'pms-install-'));
  let install: K8sObject[] = [];
  before(() => {
    install = readObjects(buildInstall({ outDir: out }).install);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('`kubectl kustomize config/default` (no flags) renders what dist/install.yaml holds', () => {
    const rendered = parseAllDocuments(kubectl(['kustomize', 'config/default']))
      .map((d) => d.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => o !== null);
    assert.deepEqual(rendered.map(id), install.map(id), 'same objects in the same order');
    assert.deepEqual(rendered, install, 'same content');
    assert.ok(install.filter((o) => o.kind === 'CustomResourceDefinition').length === 3);
  });

  it('`kubectl kustomize crds` renders the three CRDs', () => {
    const crds = parseAllDocuments(kubectl(['kustomize', 'crds']))
      .map((d) => d.toJS() as K8sObject)
      .filter(Boolean);
    assert.deepEqual(crds.map((o) => o.metadata.name).sort(), [
      'pmsbackups.pms.io',
      'pmsinstances.pms.io',
      'pmsrestores.pms.io',
    ]);
  });

  it('`kubectl apply --dry-run=server -k config/default` is accepted for every object', async () => {
    // Namespaced objects need their namespace to exist for a dry run (other tests share it).
    await ensureNamespace(kubeClients(), 'pms-system');
    const listed = JSON.parse(
      kubectl(['apply', '--dry-run=server', '-k', 'config/default', '-o', 'json'], {
        KUBECONFIG: testEnv('kube').kubeconfig,
      }),
    ) as { kind: string; items?: K8sObject[] } & K8sObject;
    const items = listed.kind === 'List' ? (listed.items ?? []) : [listed];
    assert.deepEqual(items.map(id).sort(), install.map(id).sort());
  });
});

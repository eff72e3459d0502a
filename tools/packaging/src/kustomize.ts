// Renders kustomizations with the real kustomize: the one built into kubectl (`kubectl
// kustomize`, kustomize v5 in kubectl 1.32), with no flags, so what `npm run build:install`
// writes is exactly what a platform team gets from `kubectl apply -k`. There is deliberately no
// re-implementation here: namespace, labels, patches, components and ordering are kustomize's.
import { spawnSync } from 'node:child_process';
import { parseObjects, type K8sObject } from './objects.ts';

/** `kubectl kustomize <dir>`: the rendered YAML stream, byte for byte. */
export function kustomize(dir: string): string {
  const r = spawnSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error) {
    throw new Error(
      `kubectl could not run (${r.error.message}): kubectl 1.32 or newer renders the install; scripts/setup.sh checks for it`,
    );
  }
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return r.stdout;
}

/** The objects `kubectl kustomize <dir>` renders, in kustomize's order. */
export function kustomizeObjects(dir: string): K8sObject[] {
  return parseObjects(kustomize(dir), `kubectl kustomize ${dir}`);
}

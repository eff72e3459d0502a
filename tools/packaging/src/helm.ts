#!/usr/bin/env node
// Helm, built from its Go module (go/helm/go.mod pins helm.sh/helm/v4) into the binary cache
// (gotool.ts). The chart tests (test/chart*.test.ts) lint, render and install
// charts/pms-operator with it; the release workflow packages the chart with it.
// `node src/helm.ts` builds it if needed and prints its path (scripts/setup.sh runs this).
import { join } from 'node:path';
import { ensureGoTool, type GoTool } from './gotool.ts';
import { repoRoot } from './paths.ts';

/**
 * The operator's chart. Its crds/ is a symbolic link to the repository's crds/ and
 * files/prometheusrule.yaml one to config/prometheus/prometheusrule.yaml, so the chart cannot
 * drift from the kustomize install; Helm reads through links and packages the files' contents.
 */
export const chartDir = join(repoRoot, 'charts', 'pms-operator');

export const helmTool: GoTool = {
  name: 'helm',
  pkg: 'helm.sh/helm/v4/cmd/helm',
  module: 'helm.sh/helm/v4',
  // What Helm's Makefile sets, so `helm version` reports the pinned release.
  versionFlags: (v) => [
    `-X helm.sh/helm/v4/internal/version.version=${v}`,
    '-X helm.sh/helm/v4/internal/version.gitTreeState=clean',
  ],
};

export const ensureHelm = (log?: (msg: string) => void) => ensureGoTool(helmTool, log);

if (import.meta.main) {
  console.log(ensureHelm((m) => console.error(m)));
}

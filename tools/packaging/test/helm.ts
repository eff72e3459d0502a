// Runs the pinned Helm (src/helm.ts builds it on first use) and renders the chart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartDir, ensureHelm } from '../src/helm.ts';
import { parseObjects, type K8sObject } from '../src/objects.ts';

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

let bin: string | undefined;
// Helm's cache, configuration and data (repositories, registry logins) for these tests only.
const helmHome = mkdtempSync(join(tmpdir(), 'pms-helm-home-'));
const helmEnv = {
  HELM_CACHE_HOME: join(helmHome, 'cache'),
  HELM_CONFIG_HOME: join(helmHome, 'config'),
  HELM_DATA_HOME: join(helmHome, 'data'),
};

/** `helm <args>`, with an optional kubeconfig; never throws on a non-zero exit. */
export function helm(args: string[], kubeconfig?: string): HelmResult {
  bin ??= ensureHelm((m) => console.error(m));
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 180_000,
    env: { ...process.env, ...helmEnv, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` of charts/pms-operator with `--set` values; fails the test on an error. */
export function renderChart(
  release: string,
  namespace: string,
  set: string[] = [],
  extra: string[] = [],
): K8sObject[] {
  const args = ['template', release, chartDir, '--namespace', namespace, '--include-crds'];
  for (const s of set) args.push('--set', s);
  const r = helm([...args, ...extra]);
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${r.stderr}`);
  return parseObjects(r.stdout, `helm template ${release}`);
}

/** Chart.yaml's version and appVersion. */
export function chartMeta(): { version: string; appVersion: string } {
  return parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as {
    version: string;
    appVersion: string;
  };
}

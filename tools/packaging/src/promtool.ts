#!/usr/bin/env node
// promtool (Prometheus' rule checker and rule unit-test runner), built from the Prometheus Go
// module pinned in go/promtool/go.mod into the test environment's binary cache (gotool.ts).
// scripts/setup.sh runs this file; the alert tests (test/alerts.test.ts) use the binary.
import { ensureGoTool, pinnedVersion, toolPath, type GoTool } from './gotool.ts';

/** The pinned Prometheus version (go.mod's v0.3XX.Y is Prometheus 3.XX.Y). */
export function prometheusVersion(): string {
  const m = /^v0\.(\d)(\d+)\.(\d+)$/.exec(pinnedVersion(promtoolTool));
  if (!m?.[1] || !m[2] || !m[3]) throw new Error('go/promtool/go.mod: unexpected version');
  return `${m[1]}.${Number(m[2])}.${m[3]}`;
}

export const promtoolTool: GoTool = {
  name: 'promtool',
  pkg: 'github.com/prometheus/prometheus/cmd/promtool',
  module: 'github.com/prometheus/prometheus',
  versionFlags: () => [`-X github.com/prometheus/common/version.Version=${prometheusVersion()}`],
  // Prometheus' own switch for its service-discovery plugins (plugins/plugin_*.go): the cloud
  // SDKs (AWS, Azure, GCE, OCI, ...) are most of promtool's build, and nothing here discovers
  // targets in a cloud. Kubernetes SD stays (monitoring/prometheus/prometheus.yml uses it;
  // promtool imports it itself, the tag only says so), as do static and file targets.
  // Cold build on a 2-core machine (empty build cache, modules downloaded): 222 s, 516 s without.
  tags: ['remove_all_sd', 'enable_kubernetes_sd'],
};

export const promtoolPath = toolPath(promtoolTool);

/** Builds promtool unless the cached binary is current; returns its path. */
export const ensurePromtool = (log?: (msg: string) => void) => ensureGoTool(promtoolTool, log);

if (import.meta.main) {
  console.log(ensurePromtool((m) => console.error(m)));
}

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
};

export const promtoolPath = toolPath(promtoolTool);

/** Builds promtool unless the cached binary is current; returns its path. */
export const ensurePromtool = (log?: (msg: string) => void) => ensureGoTool(promtoolTool, log);

if (import.meta.main) {
  console.log(ensurePromtool((m) => console.error(m)));
}

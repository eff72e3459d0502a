#!/usr/bin/env node
// promtool (Prometheus' rule checker and rule unit-test runner), built from the Prometheus Go
// module pinned in go/promtool/go.mod into the test environment's binary cache
// (~/.cache/pms-testenv/bin, or $PMS_TESTENV_CACHE/bin), like the test services: rebuilt only
// when go.mod, go.sum or the Go toolchain change. scripts/setup.sh runs this file; the alert
// tests (test/alerts.test.ts) use the binary.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binDir } from '@pms/testenv/paths';

const moduleDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'go', 'promtool');
export const promtoolPath = join(binDir, 'promtool');
const stampPath = join(binDir, '.promtool.stamp');
const pkg = 'github.com/prometheus/prometheus/cmd/promtool';

function fingerprint(): string {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) throw new Error('Go is needed to build promtool (`go version` failed)');
  const h = createHash('sha256').update(go.stdout.trim());
  for (const f of ['go.mod', 'go.sum']) h.update(f).update(readFileSync(join(moduleDir, f)));
  return h.digest('hex').slice(0, 16);
}

/** The pinned Prometheus version (go.mod's v0.3XX.Y is Prometheus 3.XX.Y). */
export function prometheusVersion(): string {
  const m = /github\.com\/prometheus\/prometheus v0\.(\d+)\.(\d+)/.exec(
    readFileSync(join(moduleDir, 'go.mod'), 'utf8'),
  );
  if (!m?.[1] || !m[2]) throw new Error('go/promtool/go.mod does not require prometheus');
  return `${Number(m[1].slice(0, 1))}.${Number(m[1].slice(1))}.${m[2]}`;
}

/** Builds promtool unless the cached binary is current; returns its path. */
export function ensurePromtool(log: (msg: string) => void = () => undefined): string {
  const fp = fingerprint();
  if (existsSync(promtoolPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === fp) {
    return promtoolPath;
  }
  mkdirSync(binDir, { recursive: true });
  log(
    `building promtool ${prometheusVersion()} from tools/packaging/go/promtool (minutes the first time)`,
  );
  const started = Date.now();
  const v = 'github.com/prometheus/common/version';
  const r = spawnSync(
    'go',
    ['build', '-ldflags', `-s -w -X ${v}.Version=${prometheusVersion()}`, '-o', promtoolPath, pkg],
    {
      cwd: moduleDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: '0' },
    },
  );
  if (r.status !== 0) throw new Error(`go build of promtool failed (exit ${r.status})`);
  writeFileSync(stampPath, fp);
  log(`built promtool in ${Math.round((Date.now() - started) / 1000)} s`);
  return promtoolPath;
}

if (import.meta.main) {
  console.log(ensurePromtool((m) => console.error(m)));
}

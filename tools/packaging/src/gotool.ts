// Command-line tools the packaging tests and the release run (promtool, helm, actionlint), each
// pinned by a wrapper Go module in go/<name>/go.mod and built from it into the test
// environment's binary cache (~/.cache/pms-testenv/bin, or $PMS_TESTENV_CACHE/bin), like the
// test services: rebuilt only when that go.mod, go.sum, the build tags or the Go toolchain
// change, so a warm machine pays nothing. scripts/setup.sh builds them all once; a test that
// finds one missing builds it itself (minutes, printed), never skips.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binDir } from '@pms/testenv/paths';

export interface GoTool {
  /** The binary's name, and the folder of its wrapper module under go/. */
  name: string;
  /** The main package to build. */
  pkg: string;
  /** The module whose version go.mod pins (the version is read from go.mod). */
  module: string;
  /** -ldflags -X settings, given the pinned module version (e.g. `v4.3.1`). */
  versionFlags: (version: string) => string[];
  /** Build tags (part of the cache fingerprint: changing them rebuilds). */
  tags?: string[];
}

const goDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'go');

export const toolPath = (t: GoTool) => join(binDir, t.name);
const stampPath = (t: GoTool) => join(binDir, `.${t.name}.stamp`);

/** The version of `t.module` that go/<name>/go.mod requires. */
export function pinnedVersion(t: GoTool): string {
  const mod = readFileSync(join(goDir, t.name, 'go.mod'), 'utf8');
  const esc = t.module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const m = new RegExp(`^\\s*${esc} (v\\S+)`, 'm').exec(mod);
  if (!m?.[1]) throw new Error(`go/${t.name}/go.mod does not require ${t.module}`);
  return m[1];
}

function fingerprint(t: GoTool): string {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) throw new Error(`Go is needed to build ${t.name} (\`go version\` failed)`);
  const h = createHash('sha256').update(go.stdout.trim());
  for (const f of ['go.mod', 'go.sum']) h.update(f).update(readFileSync(join(goDir, t.name, f)));
  if (t.tags?.length) h.update(`tags=${t.tags.join(',')}`);
  return h.digest('hex').slice(0, 16);
}

/** Builds the tool unless the cached binary is current; returns its path. */
export function ensureGoTool(t: GoTool, log: (msg: string) => void = () => undefined): string {
  const bin = toolPath(t);
  const fp = fingerprint(t);
  if (existsSync(bin) && existsSync(stampPath(t)) && readFileSync(stampPath(t), 'utf8') === fp) {
    return bin;
  }
  mkdirSync(binDir, { recursive: true });
  const version = pinnedVersion(t);
  log(`building ${t.name} ${version} from tools/packaging/go/${t.name} (minutes the first time)`);
  const started = Date.now();
  const ldflags = ['-s', '-w', ...t.versionFlags(version)].join(' ');
  const tags = t.tags?.length ? ['-tags', t.tags.join(',')] : [];
  const args = ['build', '-trimpath', ...tags, '-ldflags', ldflags, '-o', bin, t.pkg];
  const r = spawnSync('go', args, {
    cwd: join(goDir, t.name),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  if (r.status !== 0) throw new Error(`go build of ${t.name} failed (exit ${r.status})`);
  writeFileSync(stampPath(t), fp);
  log(`built ${t.name} in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}

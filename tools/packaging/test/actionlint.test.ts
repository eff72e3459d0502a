// actionlint (built from its Go module, src/actionlint.ts) over every workflow in
// .github/workflows: syntax, expressions and contexts, job needs, action inputs, runner labels,
// and the `run:` scripts through shellcheck. Any finding fails the test and is printed. A
// fixture with known mistakes proves the run reports them (shellcheck's among them, so a
// machine without shellcheck cannot pass silently).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ensureActionlint } from '../src/actionlint.ts';
import { repoRoot } from '../src/paths.ts';

interface Finding {
  message: string;
  filepath: string;
  line: number;
  kind: string;
}

let bin = '';

/** actionlint's findings for `files` (paths relative to the repository root). */
function actionlint(files: string[]): Finding[] {
  // -pyflakes= : no workflow runs Python. shellcheck is found on the PATH (scripts/setup.sh).
  const r = spawnSync(bin, ['-format', '{{json .}}', '-pyflakes=', ...files], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  // Exit 0: no finding, 1: findings; anything else is a failure to run.
  assert.ok(r.status === 0 || r.status === 1, `actionlint exited ${r.status}:\n${r.stderr}`);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Finding[]) : [];
}

describe('actionlint', () => {
  before(() => {
    bin = ensureActionlint((m) => console.error(m));
    const sc = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    assert.equal(
      sc.status,
      0,
      'shellcheck is not on the PATH: scripts/setup.sh installs it (Debian package shellcheck)',
    );
  });

  it('finds nothing in .github/workflows', () => {
    const files = readdirSync(join(repoRoot, '.github', 'workflows'))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join('.github', 'workflows', f));
    assert.ok(files.length >= 3, files.join(', '));
    const findings = actionlint(files);
    assert.deepEqual(
      findings.map((f) => `${f.filepath}:${f.line}: ${f.message} [${f.kind}]`),
      [],
    );
  });

  it('reports the mistakes of a broken workflow (needs, expression, shellcheck)', () => {
    const findings = actionlint(['tools/packaging/test/fixtures/actionlint/broken.yml']);
    assert.deepEqual(findings.map((f) => f.kind).sort(), ['expression', 'job-needs', 'shellcheck']);
  });
});

// The shipped form: `npm run build` makes dist/kubectl-pms, a single executable (Node SEA); copied
// onto PATH, kubectl discovers it (`kubectl plugin list`) and runs it as `kubectl pms`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { installCrdDir, testEnv } from '@pms/testenv';
import { VERSION } from '../src/version.ts';
import { applyYaml, kubectl, patchStatus, pluginRoot, repoRoot, suffix } from './helpers.ts';

const kubeconfig = testEnv('kube').kubeconfig;
const exe = join(pluginRoot, 'dist', 'kubectl-pms');
const bin = mkdtempSync(join(tmpdir(), 'kubectl-pms-path-'));
const kubectlPath = spawnSync('sh', ['-c', 'command -v kubectl'], {
  encoding: 'utf8',
}).stdout.trim();

before(() => {
  const r = spawnSync('npm', ['run', 'build'], { cwd: pluginRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  copyFileSync(exe, join(bin, 'kubectl-pms'));
});

describe('the single executable', () => {
  it('runs without Node on PATH and knows its version', () => {
    assert.ok(existsSync(exe));
    const pkg = JSON.parse(readFileSync(join(pluginRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(VERSION, pkg.version, 'src/version.ts follows package.json');
    const r = spawnSync(join(bin, 'kubectl-pms'), ['version'], {
      encoding: 'utf8',
      env: { PATH: bin },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `kubectl-pms ${VERSION}\n`);
    assert.equal(r.stderr, '', 'no experimental-feature warning');
  });

  it('ships in a krew archive whose sha256 the manifest script fills in', () => {
    const archive = join(pluginRoot, 'dist', 'kubectl-pms-linux-amd64.tar.gz');
    const list = spawnSync('tar', ['-tzvf', archive], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^-rwxr-xr-x .* kubectl-pms$/m);
    const sum = createHash('sha256').update(readFileSync(archive)).digest('hex');
    // Only this platform is built here; the arm64 slot takes the same file to fill the template.
    const r = spawnSync(
      'npm',
      [
        'run',
        '-s',
        'krew-manifest',
        '--',
        '--version',
        VERSION,
        '--repository',
        'acme/pms',
        '--archive',
        `linux-amd64=${archive}`,
        '--archive',
        `linux-arm64=${archive}`,
      ],
      { cwd: pluginRoot, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`kubectl-pms-linux-amd64\\.tar\\.gz\\n\\s+sha256: ${sum}\\n`),
    );
    assert.doesNotMatch(r.stdout, /\$\{/);
  });

  it('is found by `kubectl plugin list` and runs as `kubectl pms status`', async () => {
    const PATH = `${bin}:${join(kubectlPath, '..')}`;
    const list = spawnSync('kubectl', ['plugin', 'list'], {
      encoding: 'utf8',
      env: { PATH, HOME: bin },
    });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${join(bin, 'kubectl-pms')}\\n`));

    await installCrdDir(kubeconfig, join(repoRoot, 'crds'), 'kubectl-pms-test');
    const ns = `plugin-exe-${suffix()}`;
    kubectl(kubeconfig, ['create', 'namespace', ns]);
    try {
      applyYaml(kubeconfig, [
        {
          apiVersion: 'pms.io/v1alpha1',
          kind: 'PmsInstance',
          metadata: { name: 'demo', namespace: ns },
          spec: { version: '0.1.0', host: 'demo.pms.example.com' },
        },
      ]);
      patchStatus(kubeconfig, 'pmsinstances.pms.io', ns, 'demo', {
        phase: 'Ready',
        url: 'http://demo.pms.example.com',
      });
      const r = spawnSync('kubectl', ['pms', 'status', 'demo', '-n', ns], {
        encoding: 'utf8',
        env: { PATH, HOME: bin, KUBECONFIG: kubeconfig },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /PmsInstance demo/);
      assert.match(r.stdout, /Phase:\s+Ready/);
      assert.match(r.stdout, /URL:\s+http:\/\/demo\.pms\.example\.com/);
    } finally {
      spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'delete', 'namespace', ns, '--wait=false']);
    }
  });
});

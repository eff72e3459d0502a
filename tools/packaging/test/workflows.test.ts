// GitHub Actions workflows: they parse, run what .ci/run runs, pin every action, build every
// image of the repository under the names the operator renders, run the tests once per commit
// or tag, release what docs/install.md installs from, and use npm scripts that exist.
// (actionlint.test.ts checks them with actionlint and shellcheck.)
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { findFiles } from '../src/files.ts';
import { readObjects } from '../src/objects.ts';
import { repoRoot } from '../src/paths.ts';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  permissions?: Record<string, string>;
  needs?: string | string[];
  steps?: Step[];
  strategy?: { matrix?: { include?: { image: string; dockerfile: string }[] } };
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  env?: Record<string, string>;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

const dir = join(repoRoot, '.github', 'workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const workflows = Object.fromEntries(
  files.map((f) => [f, parse(readFileSync(join(dir, f), 'utf8')) as Workflow]),
);
const steps = (w: Workflow | undefined) =>
  Object.values(w?.jobs ?? {}).flatMap((j) => j.steps ?? []);
const scripts = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

describe('GitHub workflows', () => {
  it('has build-and-test, images, release and deploy', () => {
    for (const f of ['build-and-test.yml', 'images.yml', 'release.yml', 'deploy.yml']) {
      assert.ok(workflows[f], f);
    }
  });

  it('build-and-test runs .ci/run, the same entry point as CI', () => {
    const runs = steps(workflows['build-and-test.yml']).map((s) => s.run ?? '');
    assert.ok(runs.some((r) => r.trim() === 'bash .ci/run'));
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    for (const cmd of ['npm run lint', 'npm run typecheck', 'npm test']) {
      assert.ok(ci.includes(cmd), `.ci/run runs ${cmd}`);
    }
  });

  it('pins every action to a release or a commit', () => {
    for (const [f, w] of Object.entries(workflows)) {
      for (const s of steps(w)) {
        if (!s.uses || s.uses.startsWith('./')) continue;
        assert.match(
          s.uses,
          /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/,
          `${f}: ${s.uses}`,
        );
      }
      for (const j of Object.values(w.jobs)) {
        if (j.uses) assert.ok(j.uses.startsWith('./.github/workflows/'), `${f}: ${j.uses}`);
      }
    }
  });

  it('images builds every Dockerfile of the repository, with the BuildKit cache', () => {
    const isDockerfile = (n: string) => n === 'Dockerfile' || /^Dockerfile\.[\w-]+$/.test(n);
    const dockerfiles = [
      ...readdirSync(repoRoot).filter(isDockerfile),
      ...['app', 'operator', 'tools'].flatMap((d) => findFiles(d, isDockerfile)),
    ];
    const matrix = workflows['images.yml']?.jobs.image?.strategy?.matrix?.include ?? [];
    const built = matrix.map((m) => m.dockerfile);
    for (const d of dockerfiles) assert.ok(built.includes(d), `${d} is built by images.yml`);
    // The names the operator renders: <registry>/pms-<component>:<version>.
    assert.deepEqual(matrix.map((m) => m.image).sort(), [
      'pms-backend',
      'pms-backup',
      'pms-frontend',
      'pms-operator',
    ]);
    const build = steps(workflows['images.yml']).find((s) =>
      s.uses?.startsWith('docker/build-push-action@'),
    );
    assert.match(String(build?.with?.['cache-from']), /^type=gha/);
    assert.match(String(build?.with?.['cache-to']), /^type=gha,mode=max/);
    assert.equal(build?.with?.target, 'runtime');
  });

  it('runs the tests once per commit or tag: each reusable workflow has one caller', () => {
    const callers = (target: string) =>
      Object.entries(workflows).flatMap(([f, w]) =>
        Object.entries(w.jobs)
          .filter(([, j]) => j.uses === `./.github/workflows/${target}`)
          .map(([name, j]) => [f, name, j.needs]),
      );
    // images.yml: no triggers of its own, called by build-and-test after its tests pass.
    const images = workflows['images.yml'];
    assert.deepEqual(
      Object.keys(images?.on ?? {}),
      ['workflow_call'],
      'images.yml has no triggers',
    );
    assert.equal(images?.concurrency, undefined);
    assert.deepEqual(callers('images.yml'), [['build-and-test.yml', 'images', 'build-and-test']]);
    // build-and-test: main and pull requests; a tag only through release.yml, once.
    const bt = workflows['build-and-test.yml']?.on ?? {};
    assert.deepEqual(Object.keys(bt).sort(), [
      'pull_request',
      'push',
      'workflow_call',
      'workflow_dispatch',
    ]);
    assert.deepEqual(bt.push, { branches: ['main'] }, 'a tag push does not trigger it');
    assert.deepEqual(callers('build-and-test.yml'), [['release.yml', 'test', 'version']]);
    const release = workflows['release.yml']?.on ?? {};
    assert.deepEqual(release, { push: { tags: ['v*.*.*'] } }, 'release.yml runs on tags only');
    // Nothing else runs the test entry point.
    for (const [f, w] of Object.entries(workflows)) {
      if (f === 'build-and-test.yml') continue;
      for (const s of steps(w)) assert.ok(!s.run?.includes('.ci/run'), `${f} runs .ci/run`);
    }
  });

  it('release attaches install.yaml, the chart and the plugin once the tests and images pass', () => {
    const w = workflows['release.yml'];
    const job = w?.jobs.release;
    assert.deepEqual(job?.needs, ['version', 'test', 'plugin']);
    const runs = (job?.steps ?? []).map((s) => s.run ?? '').join('\n');
    assert.match(runs, /npm run build:install -- --image "ghcr\.io\/pms\/pms-operator:\$VERSION"/);
    // Helm is the pinned one the tests use, built from its Go module.
    assert.match(runs, /node tools\/packaging\/src\/helm\.ts/);
    assert.match(runs, /helm" package charts\/pms-operator --version "\$VERSION"/);
    for (const file of [
      'install.yaml',
      'monitoring.yaml',
      'prometheus-rules.yml',
      'pms-operator-$VERSION.tgz',
      'kubectl-pms-linux-amd64.tar.gz',
      'kubectl-pms-linux-arm64.tar.gz',
      'pms.yaml',
    ]) {
      assert.ok(runs.includes(file), `the release attaches ${file}`);
    }
    assert.match(runs, /gh release upload/);
    const plugin = w?.jobs.plugin as unknown as {
      strategy: { matrix: { include: { platform: string }[] } };
    };
    assert.deepEqual(
      plugin.strategy.matrix.include.map((m) => m.platform),
      ['linux-amd64', 'linux-arm64'],
      'the platforms of the krew manifest (tools/kubectl-pms/plugins/pms.yaml)',
    );
  });

  it('pushes images to the registry the CRD and the install default to', () => {
    const crd = JSON.stringify(readObjects(join(repoRoot, 'crds', 'pmsinstance.yaml'))[0]);
    const registry = /"registry":\{[^{}]*"default":"([^"]+)"/.exec(crd)?.[1];
    assert.ok(registry, 'the CRD defaults spec.image.registry');
    assert.equal(workflows['images.yml']?.env?.REGISTRY, registry);
    const deployment = readFileSync(join(repoRoot, 'config', 'manager', 'deployment.yaml'), 'utf8');
    assert.match(deployment, new RegExp(`image: ${registry.replace(/\./g, '\\.')}/pms-operator:`));
    // The operator's own default (a spec read without the CRD's defaulting) and the chart's.
    const spec = readFileSync(join(repoRoot, 'operator', 'src', 'api', 'spec.ts'), 'utf8');
    assert.match(spec, new RegExp(`registry: z\\._default\\(z\\.string\\(\\), '${registry}'\\)`));
    const values = readFileSync(join(repoRoot, 'charts', 'pms-operator', 'values.yaml'), 'utf8');
    assert.match(values, new RegExp(`repository: ${registry}/pms-operator\n`));
  });

  it('deploy applies the rendered install and waits for it', () => {
    const runs = steps(workflows['deploy.yml'])
      .map((s) => s.run ?? '')
      .join('\n');
    assert.match(runs, /npm run build:install/);
    assert.match(runs, /kubectl apply --server-side .*-f dist\/install\.yaml/);
    assert.match(runs, /rollout status deployment\/pms-operator/);
  });

  it('every npm script a workflow runs exists (in the workspace it names with -w)', () => {
    const scriptsOf = (w: string | undefined) =>
      w
        ? (
            JSON.parse(readFileSync(join(repoRoot, w, 'package.json'), 'utf8')) as {
              scripts: Record<string, string>;
            }
          ).scripts
        : scripts;
    for (const [f, w] of Object.entries(workflows)) {
      for (const s of steps(w)) {
        for (const m of (s.run ?? '').matchAll(/npm run (?:-s )?([\w:-]+)(?: -w ([\w/.-]+))?/g)) {
          assert.ok(scriptsOf(m[2])[m[1] ?? ''], `${f}: npm run ${m[1]} ${m[2] ?? ''}`);
        }
      }
    }
  });
});

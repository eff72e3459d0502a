// One version for everything a release ships: every workspace's package.json, the operator
// image the install deploys, the app version the samples ask for (the operator renders app
// images as <registry>/pms-<component>:<spec.version>, so a sample asking for another version
// would pull images no release built), the Helm chart's version and appVersion (the image tag
// it deploys), and the newest version the changelog names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { findFiles, isYaml } from '../src/files.ts';
import { readObjects } from '../src/objects.ts';
import { repoRoot } from '../src/paths.ts';

const readJson = (f: string) =>
  JSON.parse(readFileSync(join(repoRoot, f), 'utf8')) as {
    version?: string;
    workspaces?: string[];
  };
const workspaces = readJson('package.json').workspaces ?? [];
const version = readJson('operator/package.json').version ?? '';

describe('one version', () => {
  it('the operator has a semantic version', () => {
    assert.match(version, /^\d+\.\d+\.\d+$/);
  });

  it('every workspace package.json has it', () => {
    assert.ok(workspaces.length >= 5);
    for (const w of workspaces) {
      assert.equal(readJson(join(w, 'package.json')).version, version, `${w}/package.json`);
    }
  });

  it('the install deploys the operator image of that version', () => {
    const deploy = readObjects(join(repoRoot, 'config/manager/deployment.yaml'))[0] as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    assert.match(deploy.spec.template.spec.containers[0]?.image ?? '', new RegExp(`:${version}$`));
  });

  it('the Helm chart has it as version and appVersion, and deploys the same image', () => {
    const chart = parse(readFileSync(join(repoRoot, 'charts/pms-operator/Chart.yaml'), 'utf8')) as {
      version?: string;
      appVersion?: string;
    };
    assert.equal(chart.version, version, 'Chart.yaml version');
    assert.equal(chart.appVersion, version, 'Chart.yaml appVersion');
    const values = parse(
      readFileSync(join(repoRoot, 'charts/pms-operator/values.yaml'), 'utf8'),
    ) as { image: { repository: string; tag: string } };
    const deploy = readFileSync(join(repoRoot, 'config/manager/deployment.yaml'), 'utf8');
    assert.ok(
      deploy.includes(`image: ${values.image.repository}:${version}\n`),
      'the chart and config/manager deploy the same image',
    );
    assert.equal(values.image.tag, '', 'the tag defaults to appVersion');
  });

  it('every sample PmsInstance asks for that app version (an upgrade sample for a newer one)', () => {
    // An upgrade sample (samples/*-upgrade.yaml) shows moving a running instance to the next
    // release, so it names a version after this one; every other sample names this one.
    const newer = (a: string, b: string) => {
      const [x, y] = [a, b].map((v) => v.split('.').map(Number));
      for (let i = 0; i < 3; i++)
        if ((x?.[i] ?? 0) !== (y?.[i] ?? 0)) return (x?.[i] ?? 0) > (y?.[i] ?? 0);
      return false;
    };
    const samples = findFiles('samples', isYaml);
    let instances = 0;
    for (const f of samples) {
      for (const o of readObjects(join(repoRoot, f)).filter((x) => x.kind === 'PmsInstance')) {
        instances++;
        const asked = (o.spec as { version?: string }).version ?? '';
        if (/-upgrade\.ya?ml$/.test(f)) {
          assert.match(asked, /^\d+\.\d+\.\d+$/, `${f}: spec.version`);
          assert.ok(newer(asked, version), `${f}: spec.version ${asked} is after ${version}`);
        } else {
          assert.equal(asked, version, `${f}: spec.version`);
        }
      }
    }
    assert.ok(instances >= 5, `${instances} sample instances`);
  });

  it('CHANGELOG.md has an Unreleased section and names no version newer than it', () => {
    const log = readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8');
    assert.match(log, /^## \[Unreleased\]$/m);
    for (const m of log.matchAll(/^## \[(\d+\.\d+\.\d+)\]/gm)) {
      assert.equal(m[1], version, 'a released section is the current version');
    }
  });
});

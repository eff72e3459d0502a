// The Helm chart (charts/pms-operator) against the kustomize install it must equal: its default
// render is config/default's objects (less the Namespace, which a Helm user creates; the chart
// cannot own its own release namespace) with the same names, specs and RBAC rules, once Helm's
// own labels are stripped; with the monitoring toggles on it adds exactly config/prometheus's
// objects. Also: the chart's CRDs and alert rules are the repository's own files (symbolic
// links, packaged as their contents), `helm lint --strict` passes, and the values do what
// values.yaml says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chartDir } from '../src/helm.ts';
import { kustomizeObjects } from '../src/kustomize.ts';
import type { K8sObject } from '../src/objects.ts';
import { repoRoot } from '../src/paths.ts';
import { chartMeta, helm, renderChart } from './helm.ts';

type Labels = Record<string, string>;
interface Workload {
  spec: {
    replicas?: number;
    template: {
      metadata: { labels: Labels; annotations?: Labels };
      spec: {
        affinity?: unknown;
        containers: {
          image: string;
          env: { name: string; value?: string }[];
          resources: unknown;
        }[];
      };
    };
  };
}

const id = (o: K8sObject) =>
  `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sortById = (objs: K8sObject[]) => [...objs].sort((a, b) => id(a).localeCompare(id(b)));
const labelsOf = (o: K8sObject) => (o.metadata.labels ?? {}) as Labels;

const meta = chartMeta();
/** The labels Helm adds and config/ does not, with the values they must have. */
const helmLabels = (release: string): Labels => ({
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/managed-by': 'Helm',
  'app.kubernetes.io/version': meta.appVersion,
  'helm.sh/chart': `pms-operator-${meta.version}`,
});

/**
 * A deep copy without Helm's labels (on the object and its pod template). Each stripped label
 * must have its expected value, so stripping can never hide a difference.
 */
function normalise(o: K8sObject, release: string): K8sObject {
  const copy = structuredClone(o);
  const expected = helmLabels(release);
  const strip = (labels: Labels | undefined, where: string) => {
    if (!labels) return;
    for (const [k, v] of Object.entries(expected)) {
      if (k in labels) {
        assert.equal(labels[k], v, `${where}: label ${k}`);
        delete labels[k];
      }
    }
  };
  strip(copy.metadata.labels as Labels | undefined, id(o));
  strip((copy as unknown as Partial<Workload>).spec?.template?.metadata?.labels, `${id(o)} pod`);
  return copy;
}

describe('Helm chart charts/pms-operator', () => {
  it('takes crds/ and the alert rules from the repository, and packages their contents', () => {
    // Links, not copies: nothing to keep in step when a CRD or an alert changes.
    assert.equal(readlinkSync(join(chartDir, 'crds')), '../../crds');
    assert.equal(realpathSync(join(chartDir, 'crds')), join(repoRoot, 'crds'));
    assert.equal(
      realpathSync(join(chartDir, 'files', 'prometheusrule.yaml')),
      join(repoRoot, 'config', 'prometheus', 'prometheusrule.yaml'),
    );
    // `helm package` writes the linked files' bytes (a chart archive has no links), and leaves
    // out the kustomization that lives beside the CRDs.
    const out = mkdtempSync(join(tmpdir(), 'pms-chart-'));
    try {
      const r = helm(['package', chartDir, '--destination', out]);
      assert.equal(r.status, 0, r.stderr);
      const archive = join(out, `pms-operator-${meta.version}.tgz`);
      const x = spawnSync('tar', ['xzf', archive, '-C', out], { encoding: 'utf8' });
      assert.equal(x.status, 0, x.stderr);
      const listed = spawnSync('tar', ['tzf', archive], { encoding: 'utf8' }).stdout;
      assert.doesNotMatch(listed, /Kustomization/);
      const linked: [string, string][] = [
        ['crds/pmsinstance.yaml', 'crds/pmsinstance.yaml'],
        ['crds/pmsbackup.yaml', 'crds/pmsbackup.yaml'],
        ['crds/pmsrestore.yaml', 'crds/pmsrestore.yaml'],
        ['files/prometheusrule.yaml', 'config/prometheus/prometheusrule.yaml'],
      ];
      for (const [inChart, source] of linked) {
        assert.ok(
          readFileSync(join(out, 'pms-operator', inChart)).equals(
            readFileSync(join(repoRoot, source)),
          ),
          `${inChart} in the archive is ${source}`,
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('passes `helm lint --strict`, with the defaults and with every toggle on', () => {
    for (const set of [
      [],
      [
        'monitoring.serviceMonitor.enabled=true',
        'monitoring.prometheusRule.enabled=true',
        'monitoring.release=kube-prometheus-stack',
        'commonLabels.team=platform',
        'podAntiAffinity=hard',
      ],
    ]) {
      const r = helm(['lint', '--strict', chartDir, ...set.flatMap((s) => ['--set', s])]);
      assert.equal(r.status, 0, `helm lint ${set.join(' ')}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('renders by default exactly the kustomize install config/default, less its Namespace', () => {
    const kustomized = kustomizeObjects(join(repoRoot, 'config', 'default'));
    const chart = renderChart('pms-operator', 'pms-system');
    // Helm's labels are on every rendered object but the CRDs (crds/ is installed as is).
    for (const o of chart.filter((x) => x.kind !== 'CustomResourceDefinition')) {
      for (const [k, v] of Object.entries(helmLabels('pms-operator'))) {
        assert.equal(labelsOf(o)[k], v, `${id(o)}: ${k}`);
      }
    }
    const expected = sortById(kustomized.filter((o) => o.kind !== 'Namespace'));
    assert.deepEqual(
      kustomized.filter((o) => o.kind === 'Namespace').map(id),
      ['v1 Namespace /pms-system'],
      'the Namespace is the one object left out',
    );
    const got = sortById(chart.map((o) => normalise(o, 'pms-operator')));
    assert.deepEqual(got.map(id), expected.map(id), 'the same objects');
    for (const [i, o] of got.entries()) assert.deepEqual(o, expected[i], id(o));
  });

  it('adds with the monitoring toggles exactly config/prometheus, `release`-labelled', () => {
    const set = [
      'monitoring.serviceMonitor.enabled=true',
      'monitoring.prometheusRule.enabled=true',
      'monitoring.release=kube-prometheus-stack',
    ];
    const base = renderChart('pms-operator', 'pms-system');
    const withMonitoring = renderChart('pms-operator', 'pms-system', set);
    const added = withMonitoring.filter((o) => !base.some((b) => id(b) === id(o)));
    const expected = kustomizeObjects(join(repoRoot, 'config', 'prometheus')).map((o) => {
      const copy = structuredClone(o);
      copy.metadata.labels = { ...labelsOf(o), release: 'kube-prometheus-stack' };
      return copy;
    });
    assert.deepEqual(sortById(added.map((o) => normalise(o, 'pms-operator'))), sortById(expected));
    // Without a release name, no `release` label (a plain Prometheus Operator selects all).
    const unlabelled = renderChart('pms-operator', 'pms-system', set.slice(0, 2));
    for (const o of unlabelled.filter((x) => x.apiVersion.startsWith('monitoring.coreos.com'))) {
      assert.equal(labelsOf(o).release, undefined, id(o));
    }
  });

  it('applies image, replicas, resources, extra env and labels from values', () => {
    const objs = renderChart(
      'acme',
      'ops',
      [
        'image.repository=registry.example.com/pms/pms-operator',
        'image.tag=9.9.9',
        'replicaCount=3',
        'resources.limits.memory=2Gi',
        'extraEnv[0].name=KUBE_API_QPS',
        'commonLabels.team=platform',
        'podAntiAffinity=none',
      ],
      ['--set-string', 'extraEnv[0].value=100'],
    );
    const deploy = objs.find((o) => o.kind === 'Deployment') as K8sObject & Workload;
    const c = deploy.spec.template.spec.containers[0];
    assert.equal(deploy.metadata.name, 'acme-pms-operator');
    assert.equal(deploy.metadata.namespace, 'ops');
    assert.equal(c?.image, 'registry.example.com/pms/pms-operator:9.9.9');
    assert.equal(deploy.spec.replicas, 3);
    assert.deepEqual(c?.resources, {
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '1', memory: '2Gi' },
    });
    assert.deepEqual(c?.env.at(-1), { name: 'KUBE_API_QPS', value: '100' });
    assert.equal(deploy.spec.template.spec.affinity, undefined);
    for (const o of objs.filter((x) => x.kind !== 'CustomResourceDefinition')) {
      assert.equal(labelsOf(o).team, 'platform', id(o));
    }
    // The bindings follow the release's names and namespace.
    const bindings = objs.filter((o) => o.kind.endsWith('Binding')) as unknown as {
      roleRef: { name: string };
      subjects: { name: string; namespace: string }[];
    }[];
    assert.equal(bindings.length, 2);
    for (const b of bindings) {
      assert.match(b.roleRef.name, /^acme-pms-operator(-leader-election)?$/);
      assert.deepEqual(b.subjects, [
        { kind: 'ServiceAccount', name: 'acme-pms-operator', namespace: 'ops' },
      ]);
    }
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinned = renderChart('pms-operator', 'pms-system', [`image.digest=${digest}`]);
    const pinnedDeploy = pinned.find((o) => o.kind === 'Deployment') as K8sObject & Workload;
    assert.equal(
      pinnedDeploy.spec.template.spec.containers[0]?.image,
      `ghcr.io/pms/pms-operator@${digest}`,
    );
  });

  it('refuses misspelt, out-of-range and contradictory values with a message', () => {
    // values.schema.json: unknown keys and values outside their enum.
    const misspelt = helm(['template', 'x', chartDir, '--set', 'replicas=3']);
    assert.notEqual(misspelt.status, 0);
    assert.match(misspelt.stderr, /additional properties 'replicas' not allowed/);
    const r = helm(['template', 'x', chartDir, '--set', 'podAntiAffinity=sometimes']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /podAntiAffinity.*must be one of 'soft', 'hard', 'none'/);
    const s = helm([
      'template',
      'x',
      chartDir,
      '--set',
      'monitoring.serviceMonitor.enabled=true',
      '--set',
      'metrics.service.enabled=false',
    ]);
    assert.notEqual(s.status, 0);
    assert.match(s.stderr, /needs metrics.service.enabled/);
  });
});

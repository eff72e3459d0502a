// What the install promises, checked on the rendered manifests (no cluster needed): the
// operator Deployment (2 replicas, leader election, probes on the health port, resources,
// restricted security context, /tmp the only writable path), the metrics Service and the
// ServiceMonitor that finds it (and its kube-prometheus-stack `release` label), the alerts of
// issue 7 and their runbooks.
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse, stringify } from 'yaml';
import { buildInstall } from '../src/build-install.ts';
import { kustomizeObjects } from '../src/kustomize.ts';
import { readObjects, type K8sObject } from '../src/objects.ts';
import { repoRoot } from '../src/paths.ts';

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}

const manager = kustomizeObjects(join(repoRoot, 'config', 'manager'));
const monitoring = kustomizeObjects(join(repoRoot, 'config', 'prometheus'));
const find = (objs: K8sObject[], kind: string) => {
  const o = objs.find((x) => x.kind === kind);
  assert.ok(o, `${kind} rendered`);
  return o;
};

describe('operator install', () => {
  const deploy = find(manager, 'Deployment') as K8sObject & {
    spec: {
      replicas: number;
      template: {
        metadata: { labels: Record<string, string> };
        spec: {
          serviceAccountName: string;
          securityContext: Record<string, unknown>;
          containers: Container[];
        };
      };
    };
  };
  const pod = deploy.spec.template.spec;
  const c = pod.containers[0];
  const env = Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]));

  it('runs two replicas with leader election in pms-system', () => {
    assert.equal(deploy.metadata.namespace, 'pms-system');
    assert.equal(deploy.spec.replicas, 2);
    assert.equal(env.LEADER_ELECTION, 'true');
    assert.equal(pod.serviceAccountName, 'pms-operator');
    assert.match(c?.image ?? '', /^ghcr\.io\/pms\/pms-operator:\d+\.\d+\.\d+$/);
  });

  it('probes /healthz and /readyz on the health port it configures', () => {
    const health = c?.ports?.find((p) => p.name === 'health');
    assert.equal(String(health?.containerPort), env.HEALTH_PORT);
    assert.deepEqual(c?.livenessProbe?.httpGet, { path: '/healthz', port: 'health' });
    assert.deepEqual(c?.readinessProbe?.httpGet, { path: '/readyz', port: 'health' });
    const metrics = c?.ports?.find((p) => p.name === 'metrics');
    assert.equal(String(metrics?.containerPort), env.METRICS_PORT);
  });

  it('has resources and a restricted security context with a read-only root', () => {
    assert.ok(c?.resources?.requests?.cpu && c.resources.requests.memory);
    assert.ok(c?.resources?.limits?.memory);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    assert.equal(c?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(c?.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(c?.securityContext?.capabilities, { drop: ['ALL'] });
    assert.deepEqual(
      c?.volumeMounts?.map((m) => m.mountPath),
      ['/tmp'],
    );
  });

  it('exposes metrics through a Service the ServiceMonitor selects', () => {
    const svc = find(manager, 'Service') as K8sObject & {
      metadata: { labels: Record<string, string> };
      spec: { selector: Record<string, string>; ports: { name: string; targetPort: string }[] };
    };
    for (const [k, v] of Object.entries(svc.spec.selector)) {
      assert.equal(deploy.spec.template.metadata.labels[k], v, `Service selects pods by ${k}`);
    }
    assert.equal(svc.spec.ports[0]?.targetPort, 'metrics');
    const sm = find(monitoring, 'ServiceMonitor') as K8sObject & {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    };
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) {
      assert.equal(svc.metadata.labels[k], v, `ServiceMonitor selects the Service by ${k}`);
    }
    assert.equal(sm.spec.endpoints[0]?.port, svc.spec.ports[0]?.name);
  });

  it('alerts on instances not Ready for 15 min, failed or stale backups and reconcile errors', () => {
    const rule = find(monitoring, 'PrometheusRule') as K8sObject & {
      spec: {
        groups: {
          rules: { alert: string; expr: string; for: string; labels: { severity: string } }[];
        }[];
      };
    };
    const alerts = Object.fromEntries(
      rule.spec.groups
        .flatMap((g) => g.rules)
        .filter((r) => r.alert) // recording rules have none
        .map((r) => [r.alert, r]),
    );
    assert.equal(alerts.PmsInstanceNotReady?.for, '15m');
    assert.match(
      alerts.PmsInstanceNotReady?.expr ?? '',
      /pms_operator_instances\{[^}]*phase!~"Ready/,
    );
    // The backup alerts' behaviour is unit-tested with promtool (test/alerts.test.ts).
    assert.match(alerts.PmsBackupFailed?.expr ?? '', /pms:backup_last_failure:timestamp_seconds/);
    assert.match(alerts.PmsBackupTooOld?.expr ?? '', /pms:backup_interval:seconds/);
    assert.match(
      alerts.PmsOperatorReconcileErrors?.expr ?? '',
      /pms_operator_reconcile_total\{result=~"error/,
    );
    for (const r of Object.values(alerts)) {
      assert.match(r.labels.severity, /^(warning|critical)$/);
      assert.match(r.expr, /\S/);
    }
  });

  it('links every alert to its runbook in docs/runbooks/, and every runbook to an alert', () => {
    const rules = (
      find(monitoring, 'PrometheusRule') as K8sObject & {
        spec: { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] };
      }
    ).spec.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert);
    for (const r of rules) {
      const url = r.annotations?.runbook_url ?? '';
      assert.match(url, new RegExp(`/docs/runbooks/${r.alert}\\.md$`), `${r.alert} runbook_url`);
      const page = readFileSync(join(repoRoot, 'docs', 'runbooks', `${r.alert}.md`), 'utf8');
      assert.match(page, new RegExp(`^# ${r.alert}\n`), `${r.alert}.md is its runbook`);
      for (const section of ['## What it means', '## How to check', '## How to fix']) {
        assert.ok(page.includes(section), `${r.alert}.md: ${section}`);
      }
      assert.match(page, /kubectl /, `${r.alert}.md shows how to check with kubectl`);
    }
    const pages = readdirSync(join(repoRoot, 'docs', 'runbooks')).filter((f) => f !== 'README.md');
    assert.deepEqual(pages.sort(), rules.map((r) => `${r.alert}.md`).sort());
  });

  it('labels the ServiceMonitor and PrometheusRule `release` for kube-prometheus-stack', () => {
    const labelled = (objs: K8sObject[]) =>
      objs.map((o) => [o.kind, (o.metadata.labels as Record<string, string>).release]);
    // The component sets the default release name ...
    const dir = mkdtempSync(join(tmpdir(), 'pms-release-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        stringify({
          resources: [relative(dir, join(repoRoot, 'config', 'prometheus'))],
          components: [
            relative(dir, join(repoRoot, 'config', 'prometheus', 'components', 'release')),
          ],
        }),
      );
      const objs = kustomizeObjects(dir);
      assert.deepEqual(labelled(objs).sort(), [
        ['PrometheusRule', 'kube-prometheus-stack'],
        ['ServiceMonitor', 'kube-prometheus-stack'],
      ]);
      const sm = objs.find((o) => o.kind === 'ServiceMonitor') as K8sObject & {
        spec: { selector: { matchLabels: Record<string, string> } };
      };
      assert.equal(sm.spec.selector.matchLabels.release, undefined, 'selectors are untouched');
      // ... and `npm run build:install -- --prometheus-release <name>` any other.
      const out = buildInstall({ outDir: dir, prometheusRelease: 'prom' });
      assert.deepEqual(labelled(readObjects(out.monitoring)).sort(), [
        ['PrometheusRule', 'prom'],
        ['ServiceMonitor', 'prom'],
      ]);
      // Without either, no release label (a plain Prometheus Operator selects everything).
      assert.deepEqual(labelled(monitoring).sort(), [
        ['PrometheusRule', undefined],
        ['ServiceMonitor', undefined],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs under the ServiceAccount config/rbac binds, in the same namespace', () => {
    const rbac = kustomizeObjects(join(repoRoot, 'config', 'rbac'));
    const sa = rbac.find((o) => o.kind === 'ServiceAccount');
    assert.equal(sa?.metadata.name, pod.serviceAccountName);
    for (const b of rbac.filter(
      (o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding',
    )) {
      const subjects = (
        b as unknown as { subjects: { kind: string; name: string; namespace?: string }[] }
      ).subjects;
      assert.ok(
        subjects.some((x) => x.kind === 'ServiceAccount' && x.name === pod.serviceAccountName),
        `${b.kind}/${b.metadata.name} binds the operator's ServiceAccount`,
      );
    }
  });

  it('publishes the operator image under the registry the CRD defaults app images to', () => {
    const crdFile = join(repoRoot, 'crds', 'pmsinstance.yaml');
    assert.ok(existsSync(crdFile), 'crds/pmsinstance.yaml');
    const crd = readObjects(crdFile)[0];
    const text = JSON.stringify(crd);
    const registry = /"registry":\{[^{}]*"default":"([^"]+)"/.exec(text)?.[1];
    assert.ok(registry, 'the CRD defaults spec.image.registry');
    assert.ok(c?.image.startsWith(`${registry}/pms-operator:`), `${c?.image} is under ${registry}`);
    const compose = parse(readFileSync(join(repoRoot, 'app', 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { image?: string }>;
    };
    assert.equal(
      compose.services.frontend?.image,
      `\${REGISTRY:-${registry}}/pms-frontend:\${PMS_VERSION:-dev}`,
    );
  });
});

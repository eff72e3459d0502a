// What the install promises, checked on the rendered manifests (no cluster needed): the
// operator Deployment (2 replicas, leader election, probes on the health port, resources,
// restricted security context, /tmp the only writable path), the metrics Service and the
// ServiceMonitor that finds it, and the alerts of issue 7.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
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
      rule.spec.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]),
    );
    assert.equal(alerts.PmsInstanceNotReady?.for, '15m');
    assert.match(
      alerts.PmsInstanceNotReady?.expr ?? '',
      /pms_operator_instances\{[^}]*phase!~"Ready/,
    );
    assert.match(alerts.PmsBackupFailed?.expr ?? '', /kube_job_status_failed/);
    assert.match(alerts.PmsBackupTooOld?.expr ?? '', /> 26 \* 3600$/);
    assert.match(
      alerts.PmsOperatorReconcileErrors?.expr ?? '',
      /pms_operator_reconcile_total\{result=~"error/,
    );
    for (const r of Object.values(alerts)) {
      assert.match(r.labels.severity, /^(warning|critical)$/);
      assert.match(r.expr, /\S/);
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

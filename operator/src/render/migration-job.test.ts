import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderDeployments } from './workloads.ts';
import { MIGRATION_BACKOFF_LIMIT, migrationJobName, renderMigrationJob } from './migration-job.ts';
import { makeInstance } from './test-fixtures.ts';

type Container = {
  name: string;
  image: string;
  args?: string[];
  env?: unknown[];
  envFrom?: unknown[];
  volumeMounts?: unknown[];
  securityContext?: Record<string, unknown>;
  terminationMessagePolicy?: string;
  ports?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  startupProbe?: unknown;
};
type PodSpec = {
  restartPolicy?: string;
  containers: Container[];
  volumes?: unknown[];
  securityContext?: Record<string, unknown>;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  topologySpreadConstraints?: unknown;
};
type Job = {
  metadata: {
    name: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences: { uid: string; controller: boolean }[];
  };
  spec: {
    backoffLimit: number;
    activeDeadlineSeconds: number;
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};

describe('renderMigrationJob', () => {
  const i = makeInstance({
    version: '2.2.0',
    backend: { env: [{ name: 'FEATURE_X', value: '1' }] },
  });
  const job = renderMigrationJob(i, '2.1.0') as unknown as Job;
  const pod = job.spec.template.spec;
  const c = pod.containers[0] as Container;
  const backendPod = (
    renderDeployments(i).find((d) => d.metadata.name === 'acme-backend')?.spec as {
      template: { spec: PodSpec };
    }
  ).template.spec;
  const backend = backendPod.containers[0] as Container;

  it('runs `migrate` with the NEW backend image, once per target version', () => {
    assert.equal(job.metadata.name, 'acme-migrate-2-2-0');
    assert.equal(c.image, 'ghcr.io/pms/pms-backend:2.2.0');
    assert.deepEqual(c.args, ['node', 'dist/migrate.js']);
    assert.equal(c.name, 'migrate');
    assert.equal(job.metadata.annotations?.['pms.io/migration-from'], '2.1.0');
    assert.equal(job.metadata.annotations?.['pms.io/migration-to'], '2.2.0');
  });

  it("has the backend's env, Secrets and mounts, and its restricted security context", () => {
    assert.deepEqual(c.env, backend.env);
    assert.deepEqual(c.envFrom, backend.envFrom);
    assert.deepEqual(c.volumeMounts, backend.volumeMounts);
    assert.deepEqual(pod.volumes, backendPod.volumes);
    assert.deepEqual(c.securityContext, backend.securityContext);
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'] });
    assert.deepEqual(pod.securityContext, backendPod.securityContext);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.serviceAccountName, backendPod.serviceAccountName);
    assert.equal(pod.automountServiceAccountToken, false);
  });

  it('is a one-shot pod: no ports or probes, never restarted in place, a bounded retry', () => {
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(c.ports, undefined);
    assert.equal(c.readinessProbe ?? c.livenessProbe ?? c.startupProbe, undefined);
    assert.equal(pod.topologySpreadConstraints, undefined);
    assert.equal(job.spec.backoffLimit, MIGRATION_BACKOFF_LIMIT);
    assert.ok(job.spec.activeDeadlineSeconds > 0);
    assert.equal(c.terminationMessagePolicy, 'FallbackToLogsOnError');
  });

  it('is owned by the instance; its pods are worker-labelled (egress, no Service)', () => {
    assert.deepEqual(
      job.metadata.ownerReferences.map((o) => [o.uid, o.controller]),
      [['uid-1234', true]],
    );
    assert.equal(job.metadata.labels['app.kubernetes.io/managed-by'], 'pms-operator');
    assert.equal(job.metadata.labels['pms.io/migration'], 'acme');
    const labels = job.spec.template.metadata.labels;
    assert.equal(labels['app.kubernetes.io/component'], 'worker');
    assert.equal(labels['app.kubernetes.io/instance'], 'acme');
    assert.equal(labels['pms.io/migration'], 'acme');
  });

  it('is deterministic', () => {
    assert.deepEqual(renderMigrationJob(i, '2.1.0'), renderMigrationJob(i, '2.1.0'));
  });

  it('names: readable for short lowercase tags, a hash otherwise, always a DNS label within 63', () => {
    const long = makeInstance({}, 'a'.repeat(40));
    for (const v of ['1.0.0', '2024.11.30', 'v3', 'Release_1', '1.0.0-rc.1', 'x'.repeat(128)]) {
      const name = migrationJobName(long, v);
      assert.ok(name.length <= 63, `${v}: ${name}`);
      assert.match(name, /^[a-z]([-a-z0-9]*[a-z0-9])?$/, v);
    }
    assert.equal(migrationJobName(i, 'v3'), 'acme-migrate-v3');
    assert.match(migrationJobName(i, 'Release_1'), /^acme-migrate-h[0-9a-f]{10}$/);
    assert.notEqual(migrationJobName(i, '1-0-0'), migrationJobName(i, '1.0.0'));
  });
});

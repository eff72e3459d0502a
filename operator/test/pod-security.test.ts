// Pod Security Admission "restricted" against the real API server: every pod the operator
// renders (Deployments, StatefulSets, the bucket Job, the backup CronJob, a PmsBackup's and a
// PmsRestore's Job, the upgrade's migration Job) of a full in-cluster instance and of an
// external-stores instance, and the operator's own Deployment (config/manager), is created as
// a Pod with dryRun=All in a namespace labelled enforce/warn/audit=restricted: no rejection, no
// warning. A pod that allows privilege escalation is refused in the same namespace, so the
// check can fail.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseInstance, type PmsInstance } from '../src/api/spec.ts';
import { renderBackupJob } from '../src/render/backup-job.ts';
import type { PmsBackup, PmsRestore } from '../src/api/backup.ts';
import {
  podTemplateOf,
  renderChildren,
  type Child,
  type PodTemplate,
} from '../src/render/index.ts';
import { renderMigrationJob } from '../src/render/migration-job.ts';
import { renderRestoreJob } from '../src/render/restore-job.ts';
import { renderServiceAccount } from '../src/render/serviceaccount.ts';
import { adminKubeConfig, deleteTestNamespace } from './support/operator-kubeconfig.ts';
import { rawRequest } from './support/pms.ts';

const admin = adminKubeConfig();
const ns = `psa-${Date.now().toString(36)}`;
const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'latest',
};

const instance = (name: string, spec: Record<string, unknown>): PmsInstance =>
  parseInstance({
    metadata: { name, namespace: ns, uid: `${name}-uid`, generation: 1 },
    spec: { version: '1.0.0', host: `${name}.example.com`, ...spec },
  });

const full = instance('full', {
  mongodb: { replicas: 3 },
  backup: { enabled: true, schedule: '0 3 * * *' },
  monitoring: { enabled: true },
  smtp: { host: 'mail.example.com', from: 'pms@example.com' },
});
const external = instance('ext', {
  mongodb: { external: { uriSecretRef: { name: 'db', key: 'uri' } } },
  redis: { external: { urlSecretRef: { name: 'cache', key: 'url' } } },
  objectStorage: {
    external: {
      endpoint: 'https://s3.example.com',
      bucket: 'files',
      credentialsSecretRef: { name: 's3' },
    },
  },
  backup: {
    enabled: true,
    schedule: '@daily',
    destination: {
      endpoint: 'https://backup.example.com',
      bucket: 'b',
      credentialsSecretRef: { name: 'off' },
    },
  },
  monitoring: { enabled: true },
});

/** Every rendered workload of `i`, plus the Jobs the backup and restore controllers render. */
function workloads(i: PmsInstance): Child[] {
  const meta = { namespace: ns, uid: 'u' };
  const backup: PmsBackup = {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsBackup',
    metadata: { ...meta, name: `${i.metadata.name}-manual` },
    spec: { instanceRef: { name: i.metadata.name } },
  };
  const restore: PmsRestore = {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsRestore',
    metadata: { ...meta, name: `${i.metadata.name}-restore` },
    spec: { instanceRef: { name: i.metadata.name }, source: { objectKey: 'x' } },
  };
  const key = `${i.metadata.name}/20261125T030000000Z.archive.gz`;
  return [
    ...renderChildren(i, { serviceMonitors: false }, { mongodb: [27017], redis: [6379] }),
    renderBackupJob(i, backup, '20261125T030000000Z'),
    renderRestoreJob(i, restore, key, undefined),
    renderMigrationJob(i, '0.0.9'),
  ].filter((c) => podTemplateOf(c));
}

/**
 * The pod a workload's controller would create from its template: a StatefulSet adds one
 * persistentVolumeClaim volume per volumeClaimTemplate (the kind restricted allows).
 */
function asPod(c: Child): PodTemplate {
  const t = structuredClone(podTemplateOf(c) as PodTemplate);
  const claims = (c.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] })
    .volumeClaimTemplates;
  for (const vct of c.kind === 'StatefulSet' ? (claims ?? []) : []) {
    const claimName = `${vct.metadata.name}-${c.metadata.name}-0`;
    t.spec.volumes = [
      ...((t.spec.volumes as unknown[] | undefined) ?? []),
      { name: vct.metadata.name, persistentVolumeClaim: { claimName } },
    ];
  }
  return t;
}

/** A server-side dry-run create of a Pod: the status code, the message and PSA's warnings. */
async function dryRunPod(name: string, t: PodTemplate) {
  const res = await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: t.metadata?.labels ?? {} },
    spec: t.spec,
  });
  const warning = res.headers.warning;
  return {
    status: res.status,
    message: String((res.body as { message?: string }).message ?? ''),
    warnings: (Array.isArray(warning) ? warning : warning ? [warning] : []).join('\n'),
  };
}

describe('Pod Security Admission: every rendered pod is admitted under "restricted"', () => {
  before(async () => {
    const created = await rawRequest(admin, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: RESTRICTED },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // The ServiceAccounts the pods run as (the ServiceAccount admission plugin looks them up).
    // Without the owner reference: the owner does not exist, the garbage collector would delete it.
    for (const i of [full, external]) {
      const { ownerReferences: _owner, ...metadata } = renderServiceAccount(i).metadata;
      const sa = await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
        ...renderServiceAccount(i),
        metadata,
      });
      assert.equal(sa.status, 201, JSON.stringify(sa.body));
    }
  });
  after(async () => {
    await deleteTestNamespace(admin, ns);
  });

  it('refuses a pod that allows privilege escalation (the check can fail)', async () => {
    const [deployment] = workloads(full).filter((c) => c.kind === 'Deployment');
    const t = structuredClone(podTemplateOf(deployment as Child) as PodTemplate);
    const containers = t.spec.containers as { securityContext: Record<string, unknown> }[];
    (
      containers[0] as { securityContext: Record<string, unknown> }
    ).securityContext.allowPrivilegeEscalation = true;
    const r = await dryRunPod('escalating', t);
    assert.equal(r.status, 403, r.message);
    assert.match(r.message, /violates PodSecurity "restricted:latest".*allowPrivilegeEscalation/);
  });

  for (const [label, i] of [
    ['a full in-cluster instance (replica set, backup, monitoring, SMTP)', full],
    ['an instance with external MongoDB, Redis, S3 and backup destination', external],
  ] as const) {
    it(`admits every pod of ${label}`, async () => {
      const children = workloads(i);
      const kinds = new Set(children.map((c) => c.kind));
      assert.deepEqual(
        [...kinds].sort(),
        i === full
          ? ['CronJob', 'Deployment', 'Job', 'StatefulSet']
          : ['CronJob', 'Deployment', 'Job'],
      );
      for (const c of children) {
        const r = await dryRunPod(c.metadata.name, asPod(c));
        assert.equal(r.status, 201, `${c.kind}/${c.metadata.name}: ${r.message}`);
        assert.equal(r.warnings, '', `${c.kind}/${c.metadata.name}`);
      }
    });
  }

  it("admits the operator's own pod (config/manager/deployment.yaml)", async () => {
    const file = resolve(import.meta.dirname, '../../config/manager/deployment.yaml');
    const deployment = parse(readFileSync(file, 'utf8')) as { spec: { template: PodTemplate } };
    // Its ServiceAccount lives in pms-system; here the pod runs as `default`.
    const t = structuredClone(deployment.spec.template);
    delete t.spec.serviceAccountName;
    const r = await dryRunPod('pms-operator', t);
    assert.equal(r.status, 201, r.message);
    assert.equal(r.warnings, '');
  });
});

// Deployments (backend, frontend, worker, redis) and StatefulSets (mongodb, minio).
import type { PmsInstance } from '../api/spec.ts';
import { objectMeta, selectorLabels } from './labels.ts';
import { names } from './names.ts';
import { minioPod, mongodbPod, redisPod } from './datastore-pods.ts';
import { backendPod, frontendPod, workerPod } from './pods.ts';
import type { Child, Component } from './types.ts';

function deployment(
  i: PmsInstance,
  component: Component,
  /** undefined: an HPA owns the replica count, so the field is left out of the apply. */
  replicas: number | undefined,
  template: Record<string, unknown>,
  strategy: Record<string, unknown>,
): Child {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMeta(i, names.workload(i, component), component),
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(i, component) },
      strategy,
      template,
    },
  };
}

const rolling = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };

export function renderDeployments(i: PmsInstance): Child[] {
  const s = i.spec;
  const out: Child[] = [];
  // With autoscaling the HPA writes spec.replicas; applying any value here would undo it.
  // Hibernating: 0 for everything, autoscaled or not (the HPA is not rendered meanwhile).
  const fixed = (c: 'backend' | 'frontend') =>
    s.hibernate ? 0 : s[c].autoscaling ? undefined : s[c].replicas;
  const count = (n: number) => (s.hibernate ? 0 : n);
  if (s.backend.enabled)
    out.push(deployment(i, 'backend', fixed('backend'), backendPod(i), rolling));
  if (s.frontend.enabled)
    out.push(deployment(i, 'frontend', fixed('frontend'), frontendPod(i), rolling));
  if (s.worker.enabled)
    out.push(deployment(i, 'worker', count(s.worker.replicas), workerPod(i), rolling));
  if (s.redis.enabled && !s.redis.external)
    out.push(deployment(i, 'redis', count(1), redisPod(i), { type: 'Recreate' }));
  return out;
}

function statefulSet(
  i: PmsInstance,
  component: 'mongodb' | 'minio',
  serviceName: string,
  replicas: number,
  template: Record<string, unknown>,
  storage: { size: string; storageClassName?: string | undefined; deleteOnInstanceDelete: boolean },
): Child {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: objectMeta(i, names.workload(i, component), component),
    spec: {
      replicas,
      serviceName,
      podManagementPolicy: 'Parallel',
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(i, component) },
      updateStrategy: { type: 'RollingUpdate' },
      // The PVC retention rule: the StatefulSet controller makes the PVCs dependents of the
      // StatefulSet (and so, transitively, of the PmsInstance) only when deletion is asked for.
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: storage.deleteOnInstanceDelete ? 'Delete' : 'Retain',
        whenScaled: 'Retain',
      },
      template,
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', labels: selectorLabels(i, component) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
            resources: { requests: { storage: storage.size } },
          },
        },
      ],
    },
  };
}

export function renderStatefulSets(i: PmsInstance): Child[] {
  const s = i.spec;
  // Hibernating: no pods; the claims (and so the data) stay.
  const count = (n: number) => (s.hibernate ? 0 : n);
  const out: Child[] = [];
  if (!s.mongodb.external) {
    out.push(
      statefulSet(
        i,
        'mongodb',
        names.mongodbHeadless(i),
        count(s.mongodb.replicas),
        mongodbPod(i),
        s.mongodb.storage,
      ),
    );
  }
  if (!s.objectStorage.external) {
    out.push(
      statefulSet(
        i,
        'minio',
        names.service(i, 'minio'),
        count(1),
        minioPod(i),
        s.objectStorage.storage,
      ),
    );
  }
  return out;
}

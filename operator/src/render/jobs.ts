// The one-shot Job creating the attachments bucket in the in-cluster MinIO. A Job's template is
// immutable, so it is created when absent and never updated (see CREATE_ONLY_KINDS).
//
// It runs `pms-backup ensure-bucket` (app/backup): the PMS image already holds an S3 client,
// so no third-party client image (minio/mc) is needed and only the instance's own images run.
import type { PmsInstance } from '../api/spec.ts';
import { backupPodSpec, resolveDestination } from './backup-pod.ts';
import { objectMeta, selectorLabels } from './labels.ts';
import { names } from './names.ts';
import type { Child } from './types.ts';

type Json = Record<string, unknown>;

/**
 * The bucket Job's pod: pms-backup with the variables every pms-backup pod gets (the bucket is
 * S3_BUCKET on S3_ENDPOINT). It carries the MinIO selector labels, which the MinIO
 * NetworkPolicy admits, and no version label (a Job's template is immutable). `OnFailure`:
 * until MinIO answers, the container restarts with the kubelet's back-off.
 */
export function minioBucketPod(i: PmsInstance): Json {
  return {
    metadata: { labels: selectorLabels(i, 'minio') },
    spec: backupPodSpec(i, {
      args: ['ensure-bucket'],
      // The attachments bucket itself (not spec.backup.destination, whose Secret it must not need).
      destination: resolveDestination(i, {}),
      restartPolicy: 'OnFailure',
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    }),
  };
}

export function renderJobs(i: PmsInstance): Child[] {
  if (i.spec.objectStorage.external) return [];
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: objectMeta(i, names.minioBucketJob(i), 'minio'),
      spec: { backoffLimit: 20, template: minioBucketPod(i) },
    },
  ];
}

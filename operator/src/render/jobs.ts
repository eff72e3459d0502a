// The one-shot Job creating the attachments bucket in the in-cluster MinIO. A Job's template is
// immutable, so it is created when absent and never updated (see CREATE_ONLY_KINDS).
import type { PmsInstance } from '../api/spec.ts';
import { objectMeta } from './labels.ts';
import { names } from './names.ts';
import { minioBucketPod } from './datastore-pods.ts';
import type { Child } from './types.ts';

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

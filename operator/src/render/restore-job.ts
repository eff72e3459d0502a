// The Job of one PmsRestore: `pms-backup restore <objectKey>` against the target instance's
// MongoDB and attachments bucket (verify first, then drop-and-restore). Owned by the
// PmsRestore. The operator starts it only once the app is in maintenance and scaled to zero.
import type { PmsRestore, TBackupDestination } from '../api/backup.ts';
import type { PmsInstance } from '../api/spec.ts';
import { BACKUP_DEADLINE_SECONDS, backupPodTemplate, resolveDestination } from './backup-pod.ts';
import { jobNameFor, ownerRefTo } from './backup-resources.ts';
import { labels, objectMeta } from './labels.ts';
import { childName } from './names.ts';
import type { Child } from './types.ts';

export const restoreJobName = (r: PmsRestore): string => jobNameFor(r.metadata.name, 'restore');

const OBJECT_KEY =
  /^([A-Za-z0-9._-]+\/)*[a-z0-9]([-a-z0-9]*[a-z0-9])?\/\d{8}T\d{9}Z(\.archive\.gz|\.manifest\.json)?$/;

/**
 * @param target the instance restored into
 * @param objectKey the archive (resolved from the PmsBackup or given in the PmsRestore)
 * @param destination where the backup is stored (a PmsBackup's destination, the PmsRestore's,
 *   or, when undefined, the target instance's backup destination)
 */
/** Whether `key` is an archive key pms-backup wrote (no traversal). */
export const isArchiveKey = (key: string): boolean => OBJECT_KEY.test(key) && !key.includes('../');

export function renderRestoreJob(
  target: PmsInstance,
  r: PmsRestore,
  objectKey: string,
  destination: TBackupDestination | undefined,
): Child {
  if (!isArchiveKey(objectKey)) throw new Error(`invalid backup object key ${objectKey}`);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: restoreJobName(r),
      namespace: r.metadata.namespace,
      labels: { ...labels(target, 'backup'), 'pms.io/restore': r.metadata.name },
      ownerReferences: [ownerRefTo(r)],
    },
    spec: {
      // One retry: a restore is idempotent (drop-and-restore), but a failing one should stop.
      backoffLimit: 1,
      activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
      template: backupPodTemplate(target, {
        args: ['restore', objectKey],
        destination: resolveDestination(target, destination),
      }),
    },
  };
}

export const cloneJobName = (i: PmsInstance): string => childName(i, 'clone');

/**
 * The Job of spec.restoreFrom (a tenant clone): `pms-backup restore <objectKey>` into the new
 * instance's own MongoDB and attachments bucket, reading the archive from `source`. A child of
 * the instance (create-only like every Job; pruned once status.restoredFrom is recorded),
 * labelled pms.io/clone so that it never counts as the instance's last backup. Retried a few
 * times: the data stores may still be starting when it first runs, and a restore is
 * idempotent (drop-and-restore).
 */
export function renderCloneJob(
  i: PmsInstance,
  objectKey: string,
  source: TBackupDestination,
): Child {
  if (!isArchiveKey(objectKey)) throw new Error(`invalid backup object key ${objectKey}`);
  const meta = objectMeta(i, cloneJobName(i), 'backup');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...meta, labels: { ...meta.labels, 'pms.io/clone': i.metadata.name } },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
      template: backupPodTemplate(i, {
        args: ['restore', objectKey],
        destination: resolveDestination(i, source),
      }),
    },
  };
}

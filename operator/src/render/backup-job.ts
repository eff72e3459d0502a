// The Job of one PmsBackup: `pms-backup backup --timestamp <ts>`, so that the object key is
// decided (and reported in status) before the Job starts. Owned by the PmsBackup. An on-demand
// backup does not prune: retention is applied by the scheduled backups.
import type { PmsBackup } from '../api/backup.ts';
import type { PmsInstance } from '../api/spec.ts';
import { BACKUP_DEADLINE_SECONDS, backupPodTemplate, resolveDestination } from './backup-pod.ts';
import { jobNameFor, ownerRefTo } from './backup-resources.ts';
import { labels } from './labels.ts';
import type { Child } from './types.ts';

/** The archive key a PmsBackup Job writes (CronJob runs report theirs in the pod's result). */
export const OBJECT_KEY_ANNOTATION = 'pms.io/object-key';

export const backupJobName = (b: PmsBackup): string => jobNameFor(b.metadata.name, 'backup');

/** `backups/acme/20261125T030000000Z.archive.gz`: the archive key a run with `ts` writes. */
export function backupObjectKey(i: PmsInstance, b: PmsBackup, ts: string): string {
  const d = resolveDestination(i, b.spec.destination);
  return `${d.prefix}${i.metadata.name}/${ts}.archive.gz`;
}

export function renderBackupJob(i: PmsInstance, b: PmsBackup, timestamp: string): Child {
  if (!/^\d{8}T\d{9}Z$/.test(timestamp)) throw new Error(`invalid backup timestamp ${timestamp}`);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: backupJobName(b),
      namespace: b.metadata.namespace,
      labels: { ...labels(i, 'backup'), 'pms.io/backup': b.metadata.name },
      annotations: { [OBJECT_KEY_ANNOTATION]: backupObjectKey(i, b, timestamp) },
      ownerReferences: [ownerRefTo(b)],
    },
    spec: {
      // A retried pod reuses the timestamp: pms-backup overwrites an interrupted run's
      // leftovers and never a complete backup.
      backoffLimit: 2,
      activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
      template: backupPodTemplate(i, {
        args: ['backup', '--timestamp', timestamp],
        destination: resolveDestination(i, b.spec.destination),
      }),
    },
  };
}

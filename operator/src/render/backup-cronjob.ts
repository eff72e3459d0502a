// The scheduled backup of an instance (spec.backup): a CronJob running `pms-backup backup`,
// which archives MongoDB and the attachments to the backup destination and then prunes to
// spec.backup.retention.keepLast. Rendered only when spec.backup.enabled.
import type { PmsInstance } from '../api/spec.ts';
import { BACKUP_DEADLINE_SECONDS, backupPodTemplate, resolveDestination } from './backup-pod.ts';
import { labels, objectMeta } from './labels.ts';
import { childName } from './names.ts';
import type { Child } from './types.ts';

export const backupCronJobName = (i: PmsInstance): string => childName(i, 'backup');

/** [] when backups are disabled (the reconcile then prunes an existing CronJob). */
export function renderBackupCronJob(i: PmsInstance): Child[] {
  const b = i.spec.backup;
  if (!b.enabled || !b.schedule) return [];
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: objectMeta(i, backupCronJobName(i), 'backup'),
      spec: {
        schedule: b.schedule,
        timeZone: 'Etc/UTC',
        // Hibernating: no database to back up (the data is unchanged since the last run).
        suspend: i.spec.hibernate,
        // Never two backups of one instance at once; a run missed by more than an hour
        // (operator or control plane down) is skipped rather than started late.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: labels(i, 'backup') },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
            template: backupPodTemplate(i, {
              args: ['backup'],
              destination: resolveDestination(i),
              env: { KEEP_LAST: String(b.retention.keepLast) },
            }),
          },
        },
      },
    },
  ];
}

/**
 * The children with the backup CronJob suspended: while a PmsRestore holds the instance's data
 * lock no scheduled backup may start (a backup of a half-restored database). The reconcile
 * decides `restoring` from the lock; rendering stays pure.
 */
export function withBackupsSuspended(children: Child[], restoring: boolean): Child[] {
  if (!restoring) return children;
  return children.map((c) =>
    c.kind === 'CronJob' && c.metadata?.labels?.['app.kubernetes.io/component'] === 'backup'
      ? ({ ...c, spec: { ...(c.spec as Record<string, unknown>), suspend: true } } as Child)
      : c,
  );
}

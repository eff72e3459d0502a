// `lastBackup` of a PmsInstance from the runtime's Job cache (the instance's backup Jobs carry
// the managed-by and instance labels): no LIST per reconcile. The archive key of a scheduled
// backup is only in its pod's termination message; once the status recorded it for that Job
// the pod is not read again.
import type { PmsInstance } from '../api/spec.ts';
import type { PmsInstanceStatus } from '../api/status.ts';
import { observeLastBackup, pickLastBackup, type TLastBackup } from './backup-status.ts';
import { jobResult, type JobObject } from './backup-shared.ts';
import { OWNED_KINDS } from './owned.ts';
import type { ReconcileContext, WatchedKind } from './types.ts';

const JOB = OWNED_KINDS.find((k) => k.kind === 'Job') as WatchedKind;

export async function observeLastBackupCached(
  ctx: ReconcileContext,
  i: PmsInstance,
  recorded: PmsInstanceStatus['lastBackup'] | undefined,
): Promise<TLastBackup | undefined> {
  const { namespace, name } = i.metadata;
  const cached = ctx.cache?.children(JOB, namespace, name);
  if (!cached) return observeLastBackup(ctx.client, namespace, name);
  const jobs = cached.filter(
    (j) => j.metadata?.labels?.['app.kubernetes.io/component'] === 'backup',
  ) as JobObject[];
  const picked = pickLastBackup(jobs);
  if (!picked) return undefined;
  if (picked.last.location || picked.last.result !== 'Succeeded') return picked.last;
  if (recorded?.name === picked.last.name && recorded.location)
    return { ...picked.last, location: recorded.location };
  const key = (await jobResult(ctx, namespace, picked.last.name))?.archiveKey;
  return typeof key === 'string' ? { ...picked.last, location: key } : picked.last;
}

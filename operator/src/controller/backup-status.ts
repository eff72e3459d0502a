// `lastBackup` of a PmsInstance: the newest finished backup run of the instance, scheduled
// (CronJob) or on demand (PmsBackup), from the Jobs themselves. For the PmsInstance status
// (its computation belongs to the instance controller, which calls observeLastBackup).
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { OBJECT_KEY_ANNOTATION } from '../render/backup-job.ts';
import { jobResult, jobState, type JobObject } from './backup-shared.ts';
import { toWire } from './wire.ts';

export interface TLastBackup {
  /** The Job that ran it. */
  name: string;
  /** When it finished. */
  time: string;
  result: 'Succeeded' | 'Failed';
  /** The archive key (when known), e.g. backups/acme/20261125T030000000Z.archive.gz. */
  location?: string;
}

/** Pure: the newest finished backup Job among `jobs` (restore Jobs are not backups). */
export function pickLastBackup(
  jobs: JobObject[],
): { job: JobObject; last: TLastBackup } | undefined {
  let best: { job: JobObject; last: TLastBackup } | undefined;
  for (const job of jobs) {
    if (job.metadata?.labels?.['pms.io/restore'] !== undefined) continue;
    if (job.metadata?.labels?.['pms.io/clone'] !== undefined) continue;
    const s = jobState(job);
    if ((s.state !== 'succeeded' && s.state !== 'failed') || !s.completionTime) continue;
    const time = new Date(s.completionTime).toISOString();
    if (best && best.last.time >= time) continue;
    const location = job.metadata?.annotations?.[OBJECT_KEY_ANNOTATION];
    best = {
      job,
      last: {
        name: job.metadata?.name ?? '',
        time,
        result: s.state === 'succeeded' ? 'Succeeded' : 'Failed',
        ...(location ? { location } : {}),
      },
    };
  }
  return best;
}

/** Lists the instance's backup Jobs and reads the newest one's result for its location. */
export async function observeLastBackup(
  client: KubernetesObjectApi,
  namespace: string,
  instance: string,
): Promise<TLastBackup | undefined> {
  const list = await client.list<KubernetesObject>(
    'batch/v1',
    'Job',
    namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    `app.kubernetes.io/instance=${instance},app.kubernetes.io/component=backup`,
  );
  const picked = pickLastBackup(list.items.map((j) => toWire(j) as JobObject));
  if (!picked) return undefined;
  if (picked.last.location || picked.last.result !== 'Succeeded') return picked.last;
  const result = await jobResult({ client }, namespace, picked.last.name);
  const key = result?.archiveKey;
  return typeof key === 'string' ? { ...picked.last, location: key } : picked.last;
}

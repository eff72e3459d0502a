// The PmsBackup controller: one Job running `pms-backup backup --timestamp <ts>` per PmsBackup,
// and a status that follows it (Pending → Running → Succeeded | Failed). The steps are the list
// BACKUP_STEPS (controller/backup-steps.ts; order as data, controller/steps.ts runs it):
//   InstanceValid  the instance exists (else Pending) and parses (else Failed)
//   DataLocked     the instance's data lock (controller/backup-lock.ts), which restores take
//                  too: during a restore the backup waits in Pending (reason RestoreRunning, the
//                  message names the PmsRestore) and runs after it
//   KeyChosen      the archive key, chosen and written to status before the Job exists, so a
//                  restarted operator (or a retried pod) always uses the same key
//   JobStarted     the Job, created once and owned by this PmsBackup
//   JobFinished    status from the Job; when it finished: size, checksum or error, the lock
//                  released, an event
// A finished PmsBackup is never touched again.
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  BACKUP_KIND,
  BACKUP_PLURAL,
  type BackupPhase,
  type PmsBackup,
  type PmsBackupStatus,
} from '../api/backup.ts';
import { API_VERSION } from '../api/spec.ts';
import type { ConditionInput } from '../api/status.ts';
import { backupJobName } from '../render/backup-job.ts';
import { isTerminal, writeRunStatus } from './backup-shared.ts';
import { BACKUP_STEPS, releaseLock, type BackupRun } from './backup-steps.ts';
import { readObject } from './read.ts';
import { runSteps, type StepCondition } from './steps.ts';
import type {
  ControllerDefinition,
  ObjectKey,
  ReconcileContext,
  ReconcileResult,
} from './types.ts';

/**
 * The Complete and Failed conditions from the Complete one: done → not failed; not complete →
 * failed, for the same reason; still unknown → not failed (yet), for the same reason.
 */
export function failedFrom([status, reason, message]: StepCondition): StepCondition {
  if (status === 'True') return ['False', reason, ''];
  if (status === 'False') return ['True', reason, message];
  return ['False', reason, ''];
}

function conditionsFor(
  b: PmsBackup,
  complete: StepCondition,
  failed: StepCondition,
): ConditionInput[] {
  const g = b.metadata.generation;
  const c = (type: string, [status, reason, message]: StepCondition): ConditionInput => ({
    type,
    status,
    reason,
    message,
    ...(g !== undefined ? { observedGeneration: g } : {}),
  });
  return [c('Complete', complete), c('Failed', failed)];
}

export async function reconcileBackup(
  ctx: ReconcileContext,
  key: ObjectKey,
  now: () => Date = () => new Date(),
): Promise<ReconcileResult> {
  const b = await readObject<PmsBackup & KubernetesObject>(
    ctx,
    API_VERSION,
    BACKUP_KIND,
    key.namespace,
    key.name,
  );
  if (!b || b.metadata.deletionTimestamp || isTerminal(b.status?.phase)) return {};
  const prev = b.status ?? {};

  let complete: StepCondition = ['Unknown', 'Waiting', ''];
  let failed: StepCondition = failedFrom(complete);
  const run: BackupRun = {
    ctx,
    b,
    ns: key.namespace,
    prev,
    fields: {
      ...(prev.objectKey ? { objectKey: prev.objectKey, bucket: prev.bucket } : {}),
      ...(prev.jobName ? { jobName: prev.jobName } : {}),
    },
    held: false,
    jobName: backupJobName(b),
    now,
    report: (_step, c) => {
      complete = c;
      failed = failedFrom(c);
    },
    write: (phase: BackupPhase, error?: string) => {
      const next: Omit<PmsBackupStatus, 'conditions'> & { conditions: ConditionInput[] } = {
        observedGeneration: b.metadata.generation,
        ...run.fields,
        phase,
        ...(error ? { error } : {}),
        conditions: conditionsFor(b, complete, failed),
      };
      return writeRunStatus(ctx, BACKUP_PLURAL, b, next, now());
    },
  };

  const outcome = await runSteps(BACKUP_STEPS, run);
  switch (outcome.kind) {
    case 'wait':
      await run.write(outcome.phase, outcome.error);
      return { requeueAfterMs: outcome.requeueAfterMs };
    case 'pending':
      complete = ['Unknown', outcome.reason, outcome.message];
      failed = ['False', 'Waiting', outcome.message];
      await run.write('Pending', outcome.error);
      return { requeueAfterMs: outcome.requeueAfterMs };
    case 'fail':
      await releaseLock(run);
      complete = ['False', outcome.reason, outcome.message];
      failed = failedFrom(complete);
      run.fields.completionTime = now().toISOString();
      if (await run.write('Failed', outcome.message)) {
        await ctx.events.record(b, 'Warning', 'BackupFailed', outcome.message);
      }
      return {};
    default:
      return {};
  }
}

export const pmsBackupController: ControllerDefinition = {
  name: 'pmsbackup',
  primary: { apiVersion: API_VERSION, kind: BACKUP_KIND, plural: BACKUP_PLURAL, namespaced: true },
  owned: [{ apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true }],
  reconcile: (ctx, key) => reconcileBackup(ctx, key),
};

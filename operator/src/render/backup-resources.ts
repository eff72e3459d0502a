// The PmsBackup and PmsRestore resources (crds/pmsbackup.yaml, crds/pmsrestore.yaml) as the
// operator reads them, and names derived from them. Pure: no I/O.
import { createHash } from 'node:crypto';
import type { Condition } from '../api/status.ts';
import type { TBackupDestination } from './backup-pod.ts';

export const BACKUP_KIND = 'PmsBackup';
export const BACKUP_PLURAL = 'pmsbackups';
export const RESTORE_KIND = 'PmsRestore';
export const RESTORE_PLURAL = 'pmsrestores';

export interface ResourceMeta {
  name: string;
  namespace: string;
  uid: string;
  generation?: number;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
}

export type BackupPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface PmsBackupStatus {
  observedGeneration?: number;
  phase?: BackupPhase;
  jobName?: string;
  startTime?: string;
  completionTime?: string;
  objectKey?: string;
  bucket?: string;
  size?: number;
  sha256?: string;
  error?: string;
  conditions?: Condition[];
}

export interface PmsBackup {
  apiVersion: 'pms.io/v1alpha1';
  kind: typeof BACKUP_KIND;
  metadata: ResourceMeta;
  spec: { instanceRef: { name: string }; destination?: TBackupDestination };
  status?: PmsBackupStatus;
}

export type RestorePhase =
  | 'Pending'
  | 'EnteringMaintenance'
  | 'ScalingDown'
  | 'Restoring'
  | 'ScalingUp'
  | 'Succeeded'
  | 'Failed';

export interface SavedAppState {
  maintenance: boolean;
  backendReplicas: number;
  workerReplicas: number;
}

export interface PmsRestoreStatus {
  observedGeneration?: number;
  phase?: RestorePhase;
  objectKey?: string;
  jobName?: string;
  startTime?: string;
  completionTime?: string;
  error?: string;
  saved?: SavedAppState;
  conditions?: Condition[];
}

export interface PmsRestore {
  apiVersion: 'pms.io/v1alpha1';
  kind: typeof RESTORE_KIND;
  metadata: ResourceMeta;
  spec: {
    instanceRef: { name: string };
    source: { backupRef?: { name: string }; objectKey?: string };
    destination?: TBackupDestination;
    onFailure?: 'KeepMaintenance' | 'RestoreApp';
  };
  status?: PmsRestoreStatus;
}

/** A controller owner reference to a PmsBackup or PmsRestore. */
export function ownerRefTo(o: PmsBackup | PmsRestore) {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    uid: o.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * `<owner>-<suffix>`, shortened with a hash of the full name when longer than 63 characters
 * (the Job controller copies the Job name into a label value).
 */
export function jobNameFor(owner: string, suffix: string): string {
  const full = `${owner}-${suffix}`;
  if (full.length <= 63) return full;
  const h = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${owner.slice(0, 63 - suffix.length - 10).replace(/-+$/, '')}-${h}-${suffix}`;
}

// The PmsBackup and PmsRestore resources (crds/pmsbackup.yaml, crds/pmsrestore.yaml) as the
// operator reads them, next to PmsInstance (spec.ts). Types and constants only.
import type { Condition } from './status.ts';

export interface SecretKeysRef {
  name: string;
  accessKeyKey?: string;
  secretKeyKey?: string;
}

/** Where backups are stored: the instance's object storage unless `endpoint` is set. */
export interface TBackupDestination {
  endpoint?: string;
  region?: string;
  bucket?: string;
  prefix?: string;
  usePathStyle?: boolean;
  credentialsSecretRef?: SecretKeysRef;
}

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

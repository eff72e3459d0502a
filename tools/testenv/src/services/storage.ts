// Storage for the local cluster: a default StorageClass `standard` and a small dynamic hostPath
// provisioner (storage-provisioner.ts, run as a process of this environment so `down` stops it).
// Without them every PersistentVolumeClaim stays Pending and a PmsInstance never gets past
// Provisioning (MongoDB and MinIO need volumes).
//
// Volumes are folders under <state dir>/data/volumes/<claim uid>: inside the environment's data
// folder, which `up` and `down` delete, so no volume outlives its environment.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Applier, type KubeObject } from '../apply.ts';
import { waitUntil } from '../proc.ts';
import type { RunningService, ServiceContext } from './types.ts';

export const storageClassName = 'standard';
export const provisionerName = 'pms.io/hostpath';
export const provisionerFieldManager = 'pms-testenv-storage';

export function storageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: storageClassName,
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      labels: { 'app.kubernetes.io/managed-by': 'pms-testenv' },
    },
    provisioner: provisionerName,
    // Immediate: a claim gets its volume at once, whichever node the pod lands on later (there is
    // one real node and hostPath on it; kwok's simulated nodes never touch the folder).
    volumeBindingMode: 'Immediate',
    reclaimPolicy: 'Delete',
    allowVolumeExpansion: false,
  };
}

export interface Claim {
  metadata: { name: string; namespace: string; uid: string };
  spec: {
    storageClassName?: string;
    accessModes?: string[];
    volumeMode?: string;
    volumeName?: string;
    resources?: { requests?: Record<string, string> };
  };
  status?: { phase?: string };
}

export interface Volume {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    hostPath?: { path: string };
  };
  status?: { phase?: string };
}

/** A claim this provisioner must serve: our class, not yet given a volume. */
export function needsVolume(c: Claim): boolean {
  return (
    c.spec.storageClassName === storageClassName &&
    !c.spec.volumeName &&
    (c.status?.phase ?? 'Pending') === 'Pending'
  );
}

export const volumeName = (c: Claim): string => `pvc-${c.metadata.uid}`;
export const volumeDir = (root: string, uid: string): string => join(root, uid);

/**
 * The PersistentVolume for a claim, pre-bound through claimRef: the controller-manager's volume
 * binder then binds the claim to exactly this volume.
 */
export function volumeFor(c: Claim, root: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeName(c),
      // Marks it as externally provisioned: the controller-manager leaves a Released volume to
      // us instead of looking for an in-tree deleter (hostPath has none) and marking it Failed.
      annotations: { 'pv.kubernetes.io/provisioned-by': provisionerName },
      labels: { 'app.kubernetes.io/managed-by': 'pms-testenv' },
    },
    spec: {
      storageClassName: storageClassName,
      capacity: { storage: c.spec.resources?.requests?.storage ?? '1Gi' },
      accessModes: c.spec.accessModes ?? ['ReadWriteOnce'],
      volumeMode: c.spec.volumeMode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: 'Delete',
      hostPath: { path: volumeDir(root, c.metadata.uid), type: 'DirectoryOrCreate' },
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: c.metadata.namespace,
        name: c.metadata.name,
        uid: c.metadata.uid,
      },
    },
  };
}

/** A volume of ours whose claim is gone and whose policy says delete. */
export function shouldDelete(v: Volume): boolean {
  return (
    v.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === provisionerName &&
    v.spec.persistentVolumeReclaimPolicy === 'Delete' &&
    (v.status?.phase === 'Released' || v.status?.phase === 'Failed')
  );
}

/** The kubeconfig of this environment's cluster (written by the kube service). */
function clusterKubeconfig(ctx: ServiceContext): string {
  return join(ctx.dataDir, 'kube', 'admin.kubeconfig');
}

export async function startStorage(ctx: ServiceContext): Promise<RunningService> {
  // An existing cluster (PMS_TEST_KUBECONFIG) keeps its own storage: a default class of ours
  // there would give its claims folders on this machine, which its nodes do not have.
  if (process.env.PMS_TEST_KUBECONFIG) return { name: 'storage', processes: [], env: {} };
  const kubeconfig = clusterKubeconfig(ctx);
  const root = join(ctx.dataDir, 'volumes');
  mkdirSync(root, { recursive: true });
  const provisioner = ctx.spawn('storage-provisioner', process.execPath, [
    join(import.meta.dirname, 'storage-provisioner.ts'),
    kubeconfig,
    root,
  ]);
  // The provisioner waits for the cluster itself; the class is applied once the API answers.
  let applier: Applier | undefined;
  await waitUntil(
    provisioner,
    async () => {
      if (!existsSync(kubeconfig)) return false;
      applier ??= await Applier.fromKubeconfig(kubeconfig);
      await applier.apply(storageClass(), { fieldManager: provisionerFieldManager });
      return true;
    },
    180_000,
  );
  return {
    name: 'storage',
    processes: [provisioner],
    env: { TESTENV_STORAGE_CLASS: storageClassName, TESTENV_VOLUMES_DIR: root },
  };
}

// The dynamic hostPath provisioner of the local cluster, run as its own process by the storage
// service: `node storage-provisioner.ts <kubeconfig> <volumes root>`.
//
// Watches PersistentVolumeClaims of the class `standard`; for each one without a volume it makes
// a folder <root>/<claim uid> and a PersistentVolume pre-bound to the claim. Watches
// PersistentVolumes; a Released one of ours with reclaimPolicy Delete loses its folder and is
// deleted. Level-triggered: every event re-checks the object, and a failed step is retried.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import {
  needsVolume,
  shouldDelete,
  volumeDir,
  volumeFor,
  volumeName,
  type Claim,
  type Volume,
} from './storage.ts';

const [kubeconfig, root] = process.argv.slice(2);
if (!kubeconfig || !root) {
  process.stderr.write('usage: storage-provisioner.ts <kubeconfig> <volumes root>\n');
  process.exit(2);
}

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = (err: unknown) => (err as { code?: number }).code;

async function loadKubeconfig(file: string): Promise<k8s.KubeConfig> {
  // Started together with the cluster: wait for its kubeconfig.
  for (;;) {
    try {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(file);
      return kc;
    } catch {
      await sleep(500);
    }
  }
}

const kc = await loadKubeconfig(kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);

async function provision(c: Claim): Promise<void> {
  if (!needsVolume(c)) return;
  const dir = volumeDir(root as string, c.metadata.uid);
  mkdirSync(dir, { recursive: true });
  // 0777 (chmod, not mkdir's mode, which the umask narrows): the data pods run as non-root
  // users (MongoDB 999, MinIO and the app 1000+), and the kubelet applies no fsGroup ownership
  // to hostPath volumes, so only a world-writable folder lets them write.
  chmodSync(dir, 0o777);
  try {
    await core.createPersistentVolume({
      body: volumeFor(c, root as string) as k8s.V1PersistentVolume,
    });
    log(`provisioned ${volumeName(c)} for ${c.metadata.namespace}/${c.metadata.name} at ${dir}`);
  } catch (err) {
    if (code(err) !== 409) throw err; // 409: made on an earlier event
  }
}

async function reclaim(v: Volume): Promise<void> {
  if (!shouldDelete(v)) return;
  const path = v.spec.hostPath?.path;
  // Only folders this provisioner made (a hand-made PV of ours elsewhere is left alone).
  if (path?.startsWith(`${root}/`)) rmSync(path, { recursive: true, force: true });
  try {
    await core.deletePersistentVolume({ name: v.metadata.name });
    log(`deleted ${v.metadata.name} and ${path}`);
  } catch (err) {
    if (code(err) !== 404) throw err;
  }
}

/** Runs `step`; on failure (API not ready, conflict) tries again after a second. */
function handle<T>(what: string, step: (o: T) => Promise<void>) {
  const attempt = (o: T, tries: number) => {
    step(o).catch((err: unknown) => {
      log(`${what}: ${(err as Error).message?.split('\n')[0] ?? String(err)} (retrying)`);
      if (tries < 60) setTimeout(() => attempt(o, tries + 1), 1000);
    });
  };
  return (o: T) => attempt(o, 0);
}

function run<T extends k8s.KubernetesObject>(
  path: string,
  list: () => Promise<k8s.KubernetesListObject<T>>,
  onObject: (o: T) => void,
) {
  const informer = k8s.makeInformer(kc, path, list);
  informer.on('add', onObject);
  informer.on('update', onObject);
  // The informer stops on an error (API server restarting, watch expired): start it again.
  informer.on('error', () => setTimeout(() => void informer.start().catch(() => undefined), 1000));
  void informer.start().catch(() => undefined);
  return informer;
}

run(
  '/api/v1/persistentvolumeclaims',
  () => core.listPersistentVolumeClaimForAllNamespaces(),
  handle('provision', (c: k8s.V1PersistentVolumeClaim) => provision(c as Claim)),
);
run(
  '/api/v1/persistentvolumes',
  () => core.listPersistentVolume(),
  handle('reclaim', (v: k8s.V1PersistentVolume) => reclaim(v as Volume)),
);
log(`watching claims of class standard; volumes under ${root}`);

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// Helpers of the upgrade tests (upgrade.test.ts, upgrade-migrate.test.ts): raw reads and writes
// as the admin, the app Deployments' images, a version change with the migration Job held for
// the test, and a Job pod finished the way a kubelet would report it.
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseInstance } from '../src/api/spec.ts';
import { renderMigrationJob } from '../src/render/migration-job.ts';
import { pmsInstanceController } from '../src/controller/pmsinstance.ts';
import { createLogger } from '../src/log.ts';
import { startOperator } from '../src/operator.ts';
import {
  adminKc,
  apiMessage,
  createNamespace,
  deleteNamespace,
  eventually,
  installCrds,
  raw,
  sleep,
} from './backup-support.ts';
import { operatorKubeConfig } from './support/operator-kubeconfig.ts';
import { deleteVolumes, provideVolumes } from './support/pms.ts';

export { apiMessage, eventually, raw, sleep };

export const admin = adminKc();
let ns = '';
/** The namespace the helpers work in (set once the test created it). */
export function useNamespace(name: string): void {
  ns = name;
}

export type Cond = { type: string; status: string; reason: string; message: string };
export type Obj = KubernetesObject & {
  spec?: Record<string, unknown> & { replicas?: number };
  status?: Record<string, unknown> & {
    phase?: string;
    version?: string;
    conditions?: Cond[];
  };
};

export async function get(path: string): Promise<Obj | undefined> {
  const r = await raw(admin, 'GET', path);
  return r.status === 200 ? (r.body as Obj) : undefined;
}
export async function send(
  method: string,
  path: string,
  body: unknown,
  type?: string,
): Promise<Obj> {
  const r = await raw(admin, method, path, body, type);
  assert.ok(r.status === 200 || r.status === 201, apiMessage(r.body));
  return r.body as Obj;
}
export const inst = (name = '') =>
  `/apis/pms.io/v1alpha1/namespaces/${ns}/pmsinstances${name ? `/${name}` : ''}`;
export const jobs = (name = '') => `/apis/batch/v1/namespaces/${ns}/jobs${name ? `/${name}` : ''}`;
export const deployment = (name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
export const condition = (o: Obj | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);
export const setVersion = (name: string, version: string, extra: Record<string, unknown> = {}) =>
  send('PATCH', inst(name), { spec: { version, ...extra } }, 'application/merge-patch+json');

export const imageOf = (d: Obj | undefined) =>
  (d?.spec?.template as { spec: { containers: { image: string }[] } } | undefined)?.spec
    .containers[0]?.image;

/** The images of backend, worker and frontend. */
export async function appImages(name: string): Promise<string[]> {
  return Promise.all(
    ['backend', 'worker', 'frontend'].map(async (c) =>
      String(imageOf(await get(deployment(`${name}-${c}`)))),
    ),
  );
}
export const imagesAt = (v: string) => [
  `ghcr.io/pms/pms-backend:${v}`,
  `ghcr.io/pms/pms-backend:${v}`,
  `ghcr.io/pms/pms-frontend:${v}`,
];

/** Ready replicas of the backend Deployment (the pods that serve). */
export async function readyBackends(name: string): Promise<number> {
  const d = await get(deployment(`${name}-backend`));
  return Number(d?.status?.readyReplicas ?? 0);
}

export async function waitReadyAt(name: string, version: string, timeout = 180_000): Promise<Obj> {
  return eventually(
    `${name} Ready at ${version}`,
    async () => {
      const o = await get(inst(name));
      return o?.status?.phase === 'Ready' && o.status.version === version ? o : undefined;
    },
    timeout,
  );
}

/**
 * Changes spec.version to `version`, with the migration Job the operator is about to create
 * already there, its pod left to the test (kwok's custom status; no retries). The instance is
 * paused meanwhile: otherwise a reconcile would prune the Job before the version changes.
 */
export async function upgradeWithHeldJob(
  name: string,
  from: string,
  version: string,
): Promise<string> {
  await send('PATCH', inst(name), { spec: { paused: true } }, 'application/merge-patch+json');
  await eventually(`${name} paused`, async () =>
    (await get(inst(name)))?.status?.phase === 'Paused' ? true : undefined,
  );
  const live = (await get(inst(name))) as Obj;
  const i = parseInstance({
    metadata: { name, namespace: ns, uid: live.metadata?.uid ?? '' },
    spec: { ...(live.spec ?? {}), version },
  });
  const job = structuredClone(renderMigrationJob(i, from)) as unknown as {
    metadata: { name: string };
    spec: {
      backoffLimit: number;
      template: { metadata: { annotations?: Record<string, string> } };
    };
  };
  job.spec.backoffLimit = 0;
  job.spec.template.metadata.annotations = { 'kwok.x-k8s.io/status': 'custom' };
  await send('POST', jobs(), job);
  await setVersion(name, version, { paused: false });
  return job.metadata.name;
}

/** Sets the Job's pod status as a kubelet would after the migrate container exited. */
export async function finishPod(
  jobName: string,
  phase: 'Succeeded' | 'Failed',
  message: string,
  exitCode = phase === 'Succeeded' ? 0 : 1,
) {
  const pod = await eventually(`a pod of ${jobName}`, async () => {
    const r = await raw(
      admin,
      'GET',
      `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${jobName}`)}`,
    );
    return (r.body as { items: Obj[] }).items[0];
  });
  const now = new Date().toISOString();
  await send(
    'PATCH',
    `/api/v1/namespaces/${ns}/pods/${pod.metadata?.name}/status`,
    {
      status: {
        phase,
        containerStatuses: [
          {
            name: 'migrate',
            image: 'ghcr.io/pms/pms-backend:x',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode,
                reason: phase === 'Succeeded' ? 'Completed' : 'Error',
                message,
                startedAt: now,
                finishedAt: now,
              },
            },
          },
        ],
      },
    },
    'application/merge-patch+json',
  );
}

export async function events(
  name: string,
): Promise<{ reason: string; type: string; note: string }[]> {
  const r = await raw(admin, 'GET', `/apis/events.k8s.io/v1/namespaces/${ns}/events`);
  return (
    r.body as {
      items: { reason?: string; type?: string; note?: string; regarding?: { name?: string } }[];
    }
  ).items
    .filter((e) => e.regarding?.name === name)
    .map((e) => ({ reason: e.reason ?? '', type: e.type ?? '', note: e.note ?? '' }));
}

/**
 * A namespace with volumes for `name`'s data stores, the operator (PmsInstance controller only)
 * under its own RBAC watching it, and the instance at `version` created; `stop` undoes it all.
 */
export async function startWithInstance(
  prefix: string,
  name: string,
  version: string,
): Promise<{ namespace: string; stop: () => Promise<void> }> {
  await installCrds(admin);
  const namespace = await createNamespace(admin, prefix);
  useNamespace(namespace);
  await provideVolumes(admin, namespace, [
    { name: `data-${name}-mongodb-0`, size: '10Gi' },
    { name: `data-${name}-minio-0`, size: '10Gi' },
  ]);
  const identity = await operatorKubeConfig(admin, namespace);
  const operator = await startOperator({
    kubeConfig: identity.kc,
    namespace,
    leaderElection: false,
    resyncMs: 5000,
    processMetrics: false,
    controllers: [pmsInstanceController],
    log: createLogger('warn'),
  });
  await send('POST', inst(), {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name },
    spec: { version, host: `${name}.example.com` },
  });
  return {
    namespace,
    async stop() {
      await operator.stop();
      await deleteNamespace(admin, namespace);
      await deleteVolumes(admin, namespace);
      await identity.cleanup();
    },
  };
}

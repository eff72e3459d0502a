// The API server of the test environment, asked to validate strictly: a dry run refuses
// unknown or duplicated fields instead of dropping them.
//
// client-node serializes built-in kinds through its typed models, which silently drop fields
// they do not know (a misspelt `replicaz` would never reach the server). So each apply sends
// the object's own JSON: a request middleware replaces the serialized body with it.
import * as k8s from '@kubernetes/client-node';
import { testEnv } from '@pms/testenv';
import type { K8sObject } from '../src/objects.ts';

export const fieldManager = 'pms-packaging-test';

export function kubeClients() {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(testEnv('kube').kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the test kubeconfig has no current cluster');
  /** A strict object client whose PATCH requests carry exactly `raw`. */
  const strictObjects = (raw?: string) =>
    new k8s.KubernetesObjectApi(
      k8s.createConfiguration({
        baseServer: new k8s.ServerConfiguration(cluster.server, {}),
        authMethods: { default: kc },
        promiseMiddleware: [
          {
            pre: async (ctx) => {
              ctx.setQueryParam('fieldValidation', 'Strict');
              if (raw !== undefined && ctx.getHttpMethod() === k8s.HttpMethod.PATCH)
                ctx.setBody(raw);
              return ctx;
            },
            post: async (rsp) => rsp,
          },
        ],
      }),
    );
  return {
    kc,
    strictObjects,
    core: kc.makeApiClient(k8s.CoreV1Api),
    ext: kc.makeApiClient(k8s.ApiextensionsV1Api),
  };
}

export type Clients = ReturnType<typeof kubeClients>;

/** Server-side apply; `dryRun` sends dryRun=All (admission and validation, nothing stored). */
export function apply(c: Clients, obj: K8sObject, dryRun: boolean): Promise<k8s.KubernetesObject> {
  return c
    .strictObjects(JSON.stringify(obj))
    .patch(
      obj,
      undefined,
      dryRun ? 'All' : undefined,
      fieldManager,
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
}

/**
 * Creates the namespace unless it exists (waiting out a deletion in progress); returns whether
 * this call created it.
 */
export async function ensureNamespace(c: Clients, name: string): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    let phase: string | undefined;
    try {
      phase = (await c.core.readNamespace({ name })).status?.phase ?? 'Active';
    } catch {
      phase = undefined;
    }
    if (phase === 'Active') return false;
    if (phase === undefined) {
      try {
        await c.core.createNamespace({ body: { metadata: { name } } });
        return true;
      } catch (err) {
        if (!/AlreadyExists|409/.test(String(err))) throw err;
      }
    }
    if (Date.now() > deadline) throw new Error(`namespace ${name} stays ${phase}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Applies CRDs for real and waits until the API server serves them. */
export async function applyCrds(c: Clients, crds: K8sObject[]): Promise<void> {
  for (const crd of crds) await apply(c, crd, false);
  const deadline = Date.now() + 30_000;
  for (const crd of crds) {
    for (;;) {
      const live = await c.ext.readCustomResourceDefinition({ name: crd.metadata.name });
      const established = live.status?.conditions?.some(
        (x) => x.type === 'Established' && x.status === 'True',
      );
      if (established) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not Established`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A readable message from a client-node error (the API server's Status message). */
export function apiMessage(err: unknown): string {
  const e = err as { body?: unknown; message?: string };
  if (typeof e.body === 'string') {
    try {
      return (JSON.parse(e.body) as { message?: string }).message ?? e.body;
    } catch {
      return e.body;
    }
  }
  return e.message ?? String(err);
}

// `node --test --test-global-setup` module of the operator suite. Some files install CRDs of
// other projects that the operator reacts to (the Prometheus Operator's ServiceMonitor, the
// Gateway API) and leave them for the files after them. At the end of the run, the ones this run
// added are deleted again, so that the next run meets the cluster as this one did: the "CRD not
// installed" cases (an instance with monitoring enabled Ready without ServiceMonitors, RouteReady
// False with GatewayAPINotInstalled) run every time, not only on a fresh cluster.
// PmsInstance's own CRDs stay: the other workspaces' tests on the same environment install them
// the same way and expect to find them.
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { eventually } from '@pms/testenv';
import { adminKubeConfig } from './operator-kubeconfig.ts';

/** API groups whose CRDs the suite installs and may remove again. */
export const foreignGroups = ['monitoring.coreos.com', 'gateway.networking.k8s.io'];

let present: Set<string> | undefined;

async function foreignCrds(api: ApiextensionsV1Api): Promise<string[]> {
  const list = await api.listCustomResourceDefinition();
  return list.items
    .filter((c) => foreignGroups.includes(c.spec.group))
    .map((c) => c.metadata?.name ?? '')
    .filter(Boolean);
}

export async function globalSetup(): Promise<void> {
  present = new Set(await foreignCrds(adminKubeConfig().makeApiClient(ApiextensionsV1Api)));
}

export async function globalTeardown(): Promise<void> {
  if (!present) return;
  const api = adminKubeConfig().makeApiClient(ApiextensionsV1Api);
  const added = (await foreignCrds(api)).filter((name) => !present?.has(name));
  for (const name of added) await api.deleteCustomResourceDefinition({ name });
  // Deletion waits for the API server to remove the custom resources; the next run must not
  // find a CRD that is still terminating.
  await eventually(
    `CRDs deleted: ${added.join(', ')}`,
    async () => (await foreignCrds(api)).every((name) => !added.includes(name)),
    120_000,
  );
  if (added.length > 0)
    process.stdout.write(`removed the CRDs this run added: ${added.join(', ')}\n`);
}

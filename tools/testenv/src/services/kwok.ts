// kwok simulating nodes, so Pods scheduled there become Running/Ready/Succeeded without running
// anything: the cheap, fast nodes most tests use. Needs the `kube` control plane.
import { binaryPath } from '../install.ts';
import { kubeRequest } from '../https.ts';
import { freePort, waitUntil } from '../proc.ts';
import { kubeAccess } from './kube.ts';
import type { RunningService, ServiceContext } from './types.ts';

export const kwokNodeCount = 3;

function kwokNode(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        type: 'kwok',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': `zone-${name.slice(-1)}`,
      },
    },
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' },
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        kubeletVersion: 'fake',
        kubeProxyVersion: 'fake',
      },
    },
  };
}

export async function startKwok(ctx: ServiceContext): Promise<RunningService> {
  // Against an external cluster there is nothing to simulate: it has its own nodes.
  if (process.env.PMS_TEST_KUBECONFIG) return { name: 'kwok', processes: [], env: {} };
  const { kubeconfig, admin } = kubeAccess(ctx.dataDir);
  const kwokPort = await freePort();
  const kwok = ctx.spawn('kwok', binaryPath('kwok'), [
    `--kubeconfig=${kubeconfig}`,
    '--manage-all-nodes=false',
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    '--manage-nodes-with-label-selector=',
    '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
    '--disregard-status-with-label-selector=',
    '--cidr=10.0.1.0/24',
    '--node-ip=127.0.0.1',
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${kwokPort}`,
  ]);
  for (let i = 0; i < kwokNodeCount; i++) {
    const r = await kubeRequest(admin, 'POST', '/api/v1/nodes', kwokNode(`kwok-node-${i}`));
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`creating kwok node failed: ${r.status} ${r.body}`);
  }
  await waitUntil(
    kwok,
    async () => {
      const r = await kubeRequest(admin, 'GET', '/api/v1/nodes?labelSelector=type%3Dkwok');
      const nodes = JSON.parse(r.body) as {
        items?: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
      };
      const ready = (nodes.items ?? []).filter((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === kwokNodeCount;
    },
    60_000,
  );
  return { name: 'kwok', processes: [kwok], env: {} };
}

// A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver (RBAC on, client
// certificates), kube-controller-manager (Deployments, Jobs, GC, service accounts),
// kube-scheduler, and kwok simulating nodes so Pods become Running/Ready/Succeeded.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from '../install.ts';
import { createPki, type Pki } from '../pki.ts';
import { kubeRequest, type TlsClient } from '../https.ts';
import { freePort, tcpReady, waitUntil, type Started } from '../proc.ts';
import type { RunningService, ServiceContext } from './types.ts';

export const kwokNodeCount = 3;

/** Binaries come from KUBEBUILDER_ASSETS when set (the envtest convention), else from our cache. */
function kubeBinary(name: string): string {
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && existsSync(join(assets, name))) return join(assets, name);
  return binaryPath(name);
}

export function writeKubeconfig(file: string, server: string, pki: Pki): void {
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: testenv',
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority: ${pki.caCert}`,
      'users:',
      '- name: admin',
      '  user:',
      `    client-certificate: ${pki.adminCert}`,
      `    client-key: ${pki.adminKey}`,
      'contexts:',
      '- name: testenv',
      '  context:',
      '    cluster: testenv',
      '    user: admin',
      'current-context: testenv',
      '',
    ].join('\n'),
  );
}

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

export async function startKube(ctx: ServiceContext): Promise<RunningService> {
  const external = process.env.PMS_TEST_KUBECONFIG;
  if (external) {
    return { name: 'kube', processes: [], env: { TESTENV_KUBECONFIG: external } };
  }
  const dir = join(ctx.dataDir, 'kube');
  mkdirSync(dir, { recursive: true });
  const pki = createPki(join(dir, 'pki'));
  const processes: Started[] = [];

  const etcdPort = await freePort();
  const etcdPeerPort = await freePort();
  const etcd = ctx.spawn('etcd', kubeBinary('etcd'), [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
    `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  processes.push(etcd);
  await waitUntil(
    etcd,
    async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok,
    30_000,
  );

  const apiPort = await freePort();
  const server = `https://127.0.0.1:${apiPort}`;
  const api = ctx.spawn('kube-apiserver', kubeBinary('kube-apiserver'), [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--secure-port=${apiPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--v=1',
  ]);
  processes.push(api);
  const admin: TlsClient = { server, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
  await waitUntil(
    api,
    async () => (await kubeRequest(admin, 'GET', '/readyz')).status === 200,
    90_000,
  );

  const kubeconfig = join(dir, 'admin.kubeconfig');
  writeKubeconfig(kubeconfig, server, pki);

  const kcmPort = await freePort();
  const kcm = ctx.spawn('kube-controller-manager', kubeBinary('kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    `--secure-port=${kcmPort}`,
    '--bind-address=127.0.0.1',
    `--service-account-private-key-file=${pki.saKey}`,
    `--root-ca-file=${pki.caCert}`,
    '--use-service-account-credentials=false',
    '--controllers=*',
    '--v=1',
  ]);
  processes.push(kcm);

  const schedPort = await freePort();
  const sched = ctx.spawn('kube-scheduler', kubeBinary('kube-scheduler'), [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    `--secure-port=${schedPort}`,
    '--bind-address=127.0.0.1',
    '--v=1',
  ]);
  processes.push(sched);

  const kwokPort = await freePort();
  const kwok = ctx.spawn('kwok', kubeBinary('kwok'), [
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
  processes.push(kwok);

  for (let i = 0; i < kwokNodeCount; i++) {
    const r = await kubeRequest(admin, 'POST', '/api/v1/nodes', kwokNode(`kwok-node-${i}`));
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`creating kwok node failed: ${r.status} ${r.body}`);
  }
  // Their serving certificates are self-signed, so readiness here is "listening"; the node and
  // service-account checks below prove they are really working.
  await waitUntil(kcm, () => tcpReady(kcmPort), 60_000);
  await waitUntil(sched, () => tcpReady(schedPort), 60_000);
  // The cluster is usable once the simulated nodes are Ready and the service-account controller
  // has created the `default` ServiceAccount (Pods cannot be admitted before that).
  await waitUntil(
    kwok,
    async () => {
      const r = await kubeRequest(admin, 'GET', '/api/v1/nodes');
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
  await waitUntil(
    kcm,
    async () =>
      (await kubeRequest(admin, 'GET', '/api/v1/namespaces/default/serviceaccounts/default'))
        .status === 200,
    60_000,
  );

  return {
    name: 'kube',
    processes,
    env: {
      TESTENV_KUBECONFIG: kubeconfig,
      TESTENV_KUBE_SERVER: server,
      TESTENV_KUBE_CA: pki.caCert,
    },
  };
}

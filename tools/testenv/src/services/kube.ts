// A real Kubernetes control plane: etcd, kube-apiserver (RBAC on, client certificates),
// kube-controller-manager (Deployments, Jobs, GC, service accounts) and kube-scheduler. It
// listens on 127.0.0.1, or, when the real `node` service is selected, on the host end of the
// node's veth (10.250.<k>.1) so the kubelet and pods reach it. Nodes come from the `kwok`
// (simulated) and `node` (real kubelet) services.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { binaryPath } from '../install.ts';
import { createPki, pkiPaths, issueCert, type Pki } from '../pki.ts';
import { kubeRequest, type TlsClient } from '../https.ts';
import { stateDir } from '../paths.ts';
import { freePort, tcpReady, waitUntil, type Started } from '../proc.ts';
import {
  ensureNodeNetwork,
  environmentAlive,
  nodeIndex,
  nodeNetwork,
  vethOwner,
  type NodeNetwork,
} from './network.ts';
import type { RunningService, ServiceContext } from './types.ts';

/**
 * The node network of this environment (same answer in `up` and `down`). PMS_TESTENV_NODE_INDEX
 * decides when set; a PMS_TESTENV_DIR folder has its own index; the default folder takes index 0
 * (the documented addresses) unless another running environment holds it, then its own.
 * A network we hold comes first; one whose holder stopped without `down` may be taken over
 * (reclaimStaleNodeNetwork removes what that environment left).
 */
export function envNodeNetwork(): NodeNetwork {
  const owner = nodeNetworkOwner();
  const override = process.env.PMS_TESTENV_NODE_INDEX;
  const indexes =
    override !== undefined && override !== ''
      ? [nodeIndex(undefined, override)]
      : process.env.PMS_TESTENV_DIR
        ? [nodeIndex(owner)]
        : [0, nodeIndex(owner)];
  const [first, ...rest] = indexes.map(nodeNetwork) as [NodeNetwork, ...NodeNetwork[]];
  const nets = [first, ...rest];
  const usable = (n: NodeNetwork) => {
    const holder = vethOwner(n);
    return !holder || holder === owner || !environmentAlive(holder, n);
  };
  return (
    nets.find((n) => vethOwner(n) === owner) ??
    nets.find(usable) ??
    // Every candidate is held by a running environment: ensureNodeNetwork says so.
    first
  );
}

/** Who holds the node network (see ownsNodeNetwork): this environment's state folder. */
export const nodeNetworkOwner = (): string => resolve(stateDir);

/** What the services started after `kube` need to talk to it (written by startKube). */
export interface KubeAccess {
  server: string;
  kubeconfig: string;
  admin: TlsClient;
  pkiDir: string;
}

const accessFile = (dataDir: string) => join(dataDir, 'kube', 'access.json');

export function kubeAccess(dataDir: string): KubeAccess {
  if (process.env.PMS_TEST_KUBECONFIG)
    throw new Error('this service needs the local control plane (PMS_TEST_KUBECONFIG is set)');
  return JSON.parse(readFileSync(accessFile(dataDir), 'utf8')) as KubeAccess;
}

/** The PKI of a running control plane, for issuing more certificates from its CA. */
export function kubePki(access: KubeAccess): Pki {
  return pkiPaths(access.pkiDir);
}

/** Binaries come from KUBEBUILDER_ASSETS when set (the envtest convention), else from our cache. */
function kubeBinary(name: string): string {
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && existsSync(join(assets, name))) return join(assets, name);
  return binaryPath(name);
}

export function writeKubeconfig(
  file: string,
  server: string,
  pki: Pki,
  user: { cert: string; key: string } = { cert: pki.adminCert, key: pki.adminKey },
): void {
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
      `    client-certificate: ${user.cert}`,
      `    client-key: ${user.key}`,
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

export async function startKube(ctx: ServiceContext): Promise<RunningService> {
  const external = process.env.PMS_TEST_KUBECONFIG;
  if (external) {
    return { name: 'kube', processes: [], env: { TESTENV_KUBECONFIG: external } };
  }
  const dir = join(ctx.dataDir, 'kube');
  mkdirSync(dir, { recursive: true });
  // With the real node, the API server lives on the node network (which must exist before it
  // can bind there) and serves the kubernetes Service IP of that network's service CIDR.
  const net = ctx.selected.includes('node') ? envNodeNetwork() : undefined;
  if (net) ensureNodeNetwork(net, nodeNetworkOwner());
  const host = net?.hostIp ?? '127.0.0.1';
  const serviceCidr = net?.serviceCidr ?? '10.0.0.0/24';
  const pki = createPki(join(dir, 'pki'), net ? [net.hostIp, net.apiServiceIp] : []);
  // The API server's identity towards kubelets (`kubectl logs/exec`): allowed everything by the
  // kubelet's webhook authorizer through system:masters.
  const kubeletClient = issueCert(pki, 'apiserver-kubelet-client', {
    cn: 'kube-apiserver-kubelet-client',
    o: 'system:masters',
  });
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
  const server = `https://${host}:${apiPort}`;
  // An audit log of every request a service account makes (Metadata level: user, verb,
  // resource, status), except the control plane's own in kube-system: the operator's RBAC test
  // (operator/test/rbac-audit.ts) compares it with config/rbac. In the environment's log folder
  // unless PMS_TESTENV_AUDIT_LOG names another file; `off` turns it off.
  const auditSetting = process.env.PMS_TESTENV_AUDIT_LOG;
  const auditLog =
    auditSetting === 'off'
      ? undefined
      : resolve(auditSetting || join(ctx.logDir, 'kube-audit.log'));
  const auditFlags: string[] = [];
  if (auditLog) {
    const policy = join(dir, 'audit-policy.yaml');
    writeFileSync(
      policy,
      [
        'apiVersion: audit.k8s.io/v1',
        'kind: Policy',
        'omitStages: [RequestReceived]',
        'rules:',
        '  - level: None',
        '    userGroups: ["system:serviceaccounts:kube-system"]',
        '  - level: Metadata',
        '    userGroups: ["system:serviceaccounts"]',
        '  - level: None',
        '',
      ].join('\n'),
    );
    // A fresh log per environment: the test reads all of it.
    rmSync(auditLog, { force: true });
    auditFlags.push(
      `--audit-policy-file=${policy}`,
      `--audit-log-path=${auditLog}`,
      '--audit-log-format=json',
    );
  }
  const api = ctx.spawn('kube-apiserver', kubeBinary('kube-apiserver'), [
    ...auditFlags,
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--secure-port=${apiPort}`,
    `--bind-address=${host}`,
    `--advertise-address=${host}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    '--allow-privileged=true',
    // Node: kubelets (system:node:<name>) get exactly their node's permissions.
    '--authorization-mode=Node,RBAC',
    // A namespace opts in to the real node with annotations (realNodeNamespaceAnnotations).
    '--enable-admission-plugins=PodNodeSelector,PodTolerationRestriction',
    `--kubelet-client-certificate=${kubeletClient.cert}`,
    `--kubelet-client-key=${kubeletClient.key}`,
    `--kubelet-certificate-authority=${pki.caCert}`,
    '--kubelet-preferred-address-types=InternalIP',
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

  // Their serving certificates are self-signed, so readiness here is "listening"; the
  // service-account check below proves they are really working.
  await waitUntil(kcm, () => tcpReady(kcmPort), 60_000);
  await waitUntil(sched, () => tcpReady(schedPort), 60_000);
  // Pods cannot be admitted before the service-account controller has created `default`.
  await waitUntil(
    kcm,
    async () =>
      (await kubeRequest(admin, 'GET', '/api/v1/namespaces/default/serviceaccounts/default'))
        .status === 200,
    60_000,
  );

  const access: KubeAccess = { server, kubeconfig, admin, pkiDir: pki.dir };
  writeFileSync(accessFile(ctx.dataDir), JSON.stringify(access, null, 2));
  return {
    name: 'kube',
    processes,
    env: {
      TESTENV_KUBECONFIG: kubeconfig,
      TESTENV_KUBE_SERVER: server,
      TESTENV_KUBE_CA: pki.caCert,
      ...(auditLog ? { TESTENV_AUDIT_LOG: auditLog } : {}),
    },
  };
}

// ONE real Kubernetes node next to kwok's simulated ones: containerd + runc + bridge CNI (Debian
// packages), kubelet and kube-proxy (built from tools/testenv/go/kube), CoreDNS as the cluster
// DNS. It lives in its own network namespace (see network.ts); its processes enter only that
// namespace (`nsenter --net`), so they share the host's mount namespace and the kubelet's
// volume mounts are visible to containerd.
//
// Where this differs from the plan in the shared contract, and why:
// - The pod and service networks carry the environment index k too (10.244.<k>.0/24,
//   10.0.<k>.0/24, DNS 10.0.<k>.10). For k = 0 (the default state folder) they are exactly the
//   contract's 10.244.0.0/24, 10.0.0.0/24 and 10.0.0.10; for other folders they differ, because
//   two environments with the same networks would need the same host routes and could not run
//   side by side. TESTENV_POD_CIDR, TESTENV_SERVICE_CIDR and TESTENV_CLUSTER_DNS say which.
// - Pod loopback is not a line of the CNI config: containerd 1.6 sets up every pod's `lo` with
//   the `loopback` plugin from the same bin_dir by itself.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { kubeRequest, type TlsClient } from '../https.ts';
import { binaryPath } from '../install.ts';
import { importIntoContainerd } from '../oci.ts';
import { issueCert } from '../pki.ts';
import { tcpReady, waitUntil } from '../proc.ts';
import { envNodeNetwork, kubeAccess, kubePki, nodeNetworkOwner, writeKubeconfig } from './kube.ts';
import {
  ensureNodeNetwork,
  environmentAlive,
  ownsNodeNetwork,
  vethOwner,
  removeNodeNetwork,
  type NodeNetwork,
} from './network.ts';
import {
  containerdToml,
  corednsObjects,
  cniConflist,
  kubeletConfig,
  kubeProxyConfig,
  netpolRbacObjects,
  netpolUser,
  realNodeLabel,
  realNodeNamespaceAnnotations,
  type NodePaths,
} from './nodeconfig.ts';
import { deployTraefik } from './ingress.ts';
import { nodeImageArchives } from './nodeimages.ts';
import type { EngineConfig } from '../netpol/types.ts';
import type { RunningService, ServiceContext } from './types.ts';

export function nodePaths(dataDir: string): NodePaths {
  const dir = join(dataDir, 'node');
  return {
    dir,
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    containerdSocket: join(dir, 'containerd', 'containerd.sock'),
    containerdConfig: join(dir, 'containerd', 'config.toml'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniIpamDir: join(dir, 'cni', 'ipam'),
    kubeletRoot: join(dir, 'kubelet'),
    podLogs: join(dir, 'pod-logs'),
    resolvConf: join(dir, 'resolv.conf'),
    kubeletConfig: join(dir, 'kubelet-config.yaml'),
    kubeProxyConfig: join(dir, 'kube-proxy-config.yaml'),
  };
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** cgroup v1 hierarchies (one folder per controller) or the v2 root. */
function cgroupRoots(): string[] {
  const base = '/sys/fs/cgroup';
  if (existsSync(join(base, 'cgroup.controllers'))) return [base];
  return readdirSync(base)
    .map((d) => join(base, d))
    .filter((d) => existsSync(join(d, 'cgroup.procs')));
}

/** The kubelet's cgroupRoot must exist; cpuset needs its cpus and mems before children can use it. */
function createCgroupRoot(name: string): void {
  for (const root of cgroupRoots()) {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if (existsSync(join(dir, f)) && readFileSync(join(dir, f), 'utf8').trim() === '')
        writeFileSync(join(dir, f), readFileSync(join(root, f), 'utf8'));
    }
  }
}

/** Every cgroup folder under /<name>, deepest first. */
function cgroupTree(name: string): string[] {
  const dirs: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(d, e.name));
    dirs.push(d);
  };
  for (const root of cgroupRoots()) if (existsSync(join(root, name))) walk(join(root, name));
  return dirs;
}

function cgroupPids(name: string): number[] {
  const pids = new Set<number>();
  for (const d of cgroupTree(name)) {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n'))
        if (l.trim()) pids.add(Number(l));
    } catch {
      /* removed meanwhile */
    }
  }
  return [...pids];
}

/** containerd shims serving our socket (they daemonize, so they are nobody's child). */
function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.includes('containerd-shim') && argv.includes(socket)) pids.push(Number(e));
    } catch {
      /* exited */
    }
  }
  return pids;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return [
    ...new Set(
      mountinfo
        .split('\n')
        .map((l) => unescape(l.split(' ')[4] ?? ''))
        .filter((m) => m === dir || m.startsWith(`${dir}/`)),
    ),
  ].sort((a, b) => b.split('/').length - a.split('/').length || b.length - a.length);
}

function unmountAll(dir: string): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    const mounts = mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), dir);
    if (mounts.length === 0) return;
    for (const m of mounts) if (!run('umount', [m]).ok) run('umount', ['-l', m]);
  }
}

/**
 * Kills the pods' containers while containerd still runs (so it records them as stopped and
 * its shims exit cleanly). Safe when there is no node.
 */
export async function stopNodeWorkloads(dataDir: string, log: (m: string) => void): Promise<void> {
  const { containerdSocket } = nodePaths(dataDir);
  if (!existsSync(containerdSocket)) return;
  const ctr = (...args: string[]) => run('ctr', ['-a', containerdSocket, '-n', 'k8s.io', ...args]);
  const listed = ctr('tasks', 'ls', '-q');
  if (!listed.ok) return;
  const tasks = listed.out.split('\n').filter(Boolean);
  for (const t of tasks) ctr('tasks', 'kill', '-s', 'SIGKILL', '--all', t);
  // containerd's CRI plugin deletes a task as soon as it exits; force what is left after 10 s.
  const deadline = Date.now() + 10_000;
  let left = tasks;
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = ctr('tasks', 'ls', '-q').out.split('\n').filter(Boolean);
  }
  for (const t of left) ctr('tasks', 'delete', '--force', t);
  if (tasks.length > 0) log(`node: ${tasks.length} container tasks stopped`);
}

/**
 * After the node's processes are stopped: kills whatever still runs in its cgroups or shims,
 * unmounts everything under its folder (pod volumes, container root filesystems, pod network
 * namespaces), removes the network namespace, veth and host routes, the cgroups and the
 * kubelet's /var/log/containers links. Idempotent; does nothing when nothing is there.
 */
export async function removeNodeLeftovers(
  dataDir: string,
  log: (m: string) => void,
  net: NodeNetwork = envNodeNetwork(),
  owner: string = nodeNetworkOwner(),
): Promise<void> {
  const paths = nodePaths(dataDir);
  // Another environment's node with the same index: only what is in our own folder is ours.
  const ours = ownsNodeNetwork(net, owner);
  const hadNetns = ours && existsSync(net.netnsPath);
  const cgroup = net.netns;
  for (let i = 0; i < 50; i++) {
    const pids = [...(ours ? cgroupPids(cgroup) : []), ...shimPids(paths.containerdSocket)];
    if (pids.length === 0) break;
    killAll(pids);
    await sleep(100);
  }
  unmountAll(paths.dir);
  if (ours) removeNodeNetwork(net);
  for (const d of ours ? cgroupTree(cgroup) : []) {
    try {
      rmdirSync(d);
    } catch {
      /* a process we could not kill: reported by the lifecycle test */
    }
  }
  // The kubelet links container logs from a fixed folder; drop the links into our folder.
  const links = '/var/log/containers';
  if (existsSync(links)) {
    for (const f of readdirSync(links)) {
      try {
        if (readlinkSync(join(links, f)).startsWith(`${paths.dir}/`)) rmSync(join(links, f));
      } catch {
        /* not a link */
      }
    }
  }
  // libcni caches each attachment under /var/lib/cni/results; ours name a pod network namespace
  // in our folder (containerd keeps them there).
  const results = '/var/lib/cni/results';
  if (existsSync(results)) {
    for (const f of readdirSync(results)) {
      try {
        if (readFileSync(join(results, f), 'utf8').includes(`${paths.dir}/`))
          rmSync(join(results, f), { force: true });
      } catch {
        /* removed meanwhile */
      }
    }
  }
  if (hadNetns) log('node: network namespace, mounts and cgroups removed');
}

/**
 * Takes over this environment's node network from an environment that stopped without `down`
 * (its machine session ended mid-run, its clone was deleted): removes what it left (its
 * containers' shims, mounts, cgroups, the namespace and veth) so `up` can start a node here.
 */
export async function reclaimStaleNodeNetwork(log: (m: string) => void): Promise<void> {
  const net = envNodeNetwork();
  const holder = vethOwner(net);
  if (!holder || holder === nodeNetworkOwner() || environmentAlive(holder, net)) return;
  log(`node: network ${net.netns} was left by a stopped environment in ${holder}; removing it`);
  await removeNodeLeftovers(join(holder, 'data'), log, net, holder);
}

const yaml = (o: object) => JSON.stringify(o, null, 2); // JSON is YAML

async function apply(admin: TlsClient, path: string, body: object): Promise<void> {
  const r = await kubeRequest(admin, 'POST', path, body);
  if (r.status !== 201 && r.status !== 409)
    throw new Error(`POST ${path} failed: ${r.status} ${r.body}`);
}

interface Conditioned {
  status?: { conditions?: Array<{ type: string; status: string }>; readyReplicas?: number };
}

async function getJson<T>(admin: TlsClient, path: string): Promise<T | undefined> {
  const r = await kubeRequest(admin, 'GET', path);
  return r.status === 200 ? (JSON.parse(r.body) as T) : undefined;
}

export async function startNode(ctx: ServiceContext): Promise<RunningService> {
  // An external cluster has nodes of its own: tests that need this one then say it is missing.
  if (process.env.PMS_TEST_KUBECONFIG) return { name: 'node', processes: [], env: {} };
  const access = kubeAccess(ctx.dataDir);
  const pki = kubePki(access);
  const net: NodeNetwork = envNodeNetwork();
  const paths = nodePaths(ctx.dataDir);
  const nodeName = net.netns;
  ensureNodeNetwork(net, nodeNetworkOwner());
  for (const d of [
    paths.containerdRoot,
    paths.containerdState,
    paths.cniConfDir,
    paths.cniIpamDir,
    paths.kubeletRoot,
    paths.podLogs,
  ])
    mkdirSync(d, { recursive: true });
  createCgroupRoot(net.netns);
  const archives = nodeImageArchives();

  const inNetns = (name: string, bin: string, args: string[]) =>
    ctx.spawn(name, 'nsenter', [`--net=${net.netnsPath}`, '--', bin, ...args]);

  writeFileSync(paths.containerdConfig, containerdToml(paths));
  writeFileSync(join(paths.cniConfDir, '10-pms-bridge.conflist'), yaml(cniConflist(net, paths)));
  const containerd = inNetns('containerd', 'containerd', ['--config', paths.containerdConfig]);
  await waitUntil(
    containerd,
    async () => run('ctr', ['-a', paths.containerdSocket, 'version']).ok,
    30_000,
  );
  for (const a of archives) importIntoContainerd(paths.containerdSocket, a);

  // Pods with dnsPolicy Default (CoreDNS itself) get no outside resolver.
  writeFileSync(
    paths.resolvConf,
    '# no upstream resolver: the test node reaches nothing outside\n',
  );
  const serving = issueCert(
    pki,
    'kubelet-serving',
    { cn: `system:node:${nodeName}`, o: 'system:nodes' },
    [`IP:${net.nodeIp}`, `DNS:${nodeName}`],
  );
  const kubeletClient = issueCert(pki, 'kubelet-client', {
    cn: `system:node:${nodeName}`,
    o: 'system:nodes',
  });
  const proxyClient = issueCert(pki, 'kube-proxy', { cn: 'system:kube-proxy' });
  const netpolClient = issueCert(pki, 'netpol', { cn: netpolUser });
  const kubeletKubeconfig = join(paths.dir, 'kubelet.kubeconfig');
  const proxyKubeconfig = join(paths.dir, 'kube-proxy.kubeconfig');
  writeKubeconfig(kubeletKubeconfig, access.server, pki, kubeletClient);
  writeKubeconfig(proxyKubeconfig, access.server, pki, proxyClient);
  const tainted = ctx.selected.includes('kwok');
  writeFileSync(
    paths.kubeletConfig,
    yaml(
      kubeletConfig(
        net,
        paths,
        { caCert: pki.caCert, servingCert: serving.cert, servingKey: serving.key },
        tainted,
      ),
    ),
  );
  writeFileSync(paths.kubeProxyConfig, yaml(kubeProxyConfig(net, proxyKubeconfig, nodeName)));

  const kubelet = inNetns('kubelet', binaryPath('kubelet'), [
    `--config=${paths.kubeletConfig}`,
    `--kubeconfig=${kubeletKubeconfig}`,
    `--root-dir=${paths.kubeletRoot}`,
    `--cert-dir=${join(paths.kubeletRoot, 'pki')}`,
    `--node-ip=${net.nodeIp}`,
    `--hostname-override=${nodeName}`,
    `--node-labels=${realNodeLabel}=true`,
    '--v=1',
  ]);
  const proxy = inNetns('kube-proxy', binaryPath('kube-proxy'), [
    `--config=${paths.kubeProxyConfig}`,
    '--v=1',
  ]);
  const admin = access.admin;
  await waitUntil(
    kubelet,
    async () => {
      const node = await getJson<Conditioned>(admin, `/api/v1/nodes/${nodeName}`);
      return !!node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    },
    120_000,
  );
  // The host reaching the API server through the `kubernetes` ClusterIP proves the host route,
  // the node's forwarding and kube-proxy's rules.
  await waitUntil(proxy, () => tcpReady(443, net.apiServiceIp), 60_000);

  // The NetworkPolicy engine (src/netpol, README "NetworkPolicies"), after kube-proxy so its
  // FORWARD jump goes in front of kube-proxy's. Its first sync runs while CoreDNS and Traefik
  // start; the node is ready only once it is done, so no test runs before policies are enforced.
  for (const o of netpolRbacObjects()) await apply(admin, o.path, o.body);
  const netpolStatus = join(paths.dir, 'netpol-status.json');
  const netpolConfig = join(paths.dir, 'netpol.json');
  rmSync(netpolStatus, { force: true });
  const engine: EngineConfig = {
    server: access.server,
    ca: pki.caCert,
    cert: netpolClient.cert,
    key: netpolClient.key,
    nodeName,
    alwaysAllowed: [net.nodeIp, net.podGateway],
    statusFile: netpolStatus,
  };
  writeFileSync(netpolConfig, JSON.stringify(engine, null, 2));
  const netpol = inNetns('netpol', process.execPath, [
    join(import.meta.dirname, '..', 'netpol', 'main.ts'),
    netpolConfig,
  ]);

  for (const o of corednsObjects(net)) await apply(admin, o.path, o.body);
  // The ingress controller (default IngressClass `traefik`, hostPort 80 on the node IP) starts
  // while CoreDNS comes up; it returns once its pod is Ready.
  await deployTraefik({
    kube: admin,
    containerdSocket: paths.containerdSocket,
    nodeIp: net.nodeIp,
    namespaceAnnotations: tainted ? realNodeNamespaceAnnotations : {},
  });
  await waitUntil(
    kubelet,
    async () => {
      const d = await getJson<Conditioned>(
        admin,
        '/apis/apps/v1/namespaces/kube-system/deployments/coredns',
      );
      return (d?.status?.readyReplicas ?? 0) >= 1;
    },
    120_000,
  );
  await waitUntil(netpol, async () => existsSync(netpolStatus), 60_000);

  return {
    name: 'node',
    processes: [containerd, kubelet, proxy, netpol],
    env: {
      TESTENV_NODE_NAME: nodeName,
      TESTENV_NODE_IP: net.nodeIp,
      TESTENV_INGRESS_IP: net.nodeIp,
      TESTENV_CONTAINERD_ADDRESS: paths.containerdSocket,
      TESTENV_POD_CIDR: net.podCidr,
      TESTENV_SERVICE_CIDR: net.serviceCidr,
      TESTENV_CLUSTER_DNS: net.clusterDns,
      TESTENV_NETPOL_STATUS: netpolStatus,
    },
  };
}

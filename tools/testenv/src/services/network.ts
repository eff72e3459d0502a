// The real node's network: a network namespace `pms-node-<k>` joined to the root namespace by a
// veth pair (host side pmsh<k> 10.250.<k>.1/30, node side 10.250.<k>.2/30), and host routes for
// the pod and service networks via the node side, so tests and Chromium on the host reach pods,
// ClusterIP services and hostPorts. The namespace has no default route: nothing started there
// can send anything beyond loopback and our own namespaces.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../proc.ts';

export interface NodeNetwork {
  /** Environment index: 0 for the default state folder, 2..249 derived from PMS_TESTENV_DIR. */
  index: number;
  netns: string;
  /** /run/netns/<netns>, what `nsenter --net=` takes. */
  netnsPath: string;
  hostVeth: string;
  nodeVeth: string;
  hostIp: string;
  nodeIp: string;
  podCidr: string;
  /** First address of the pod CIDR: the bridge (cni0) inside the node namespace. */
  podGateway: string;
  serviceCidr: string;
  /** ClusterIP of the `kubernetes` Service (first address of the service CIDR). */
  apiServiceIp: string;
  clusterDns: string;
}

/**
 * Index k of an environment. The default state folder gets 0 (the addresses in the docs);
 * any other folder a stable 2..249 from its path, so environments of different folders can run
 * side by side (1 is skipped: kwok hands out its simulated pod IPs from 10.0.1.0/24).
 * PMS_TESTENV_NODE_INDEX overrides it.
 */
export function nodeIndex(stateDir: string | undefined, override?: string): number {
  if (override !== undefined && override !== '') {
    const n = Number(override);
    if (!Number.isInteger(n) || n < 0 || n > 249)
      throw new Error(`PMS_TESTENV_NODE_INDEX must be an integer 0..249 (got "${override}")`);
    return n;
  }
  if (!stateDir) return 0;
  const h = createHash('sha256').update(stateDir).digest();
  return 2 + (h.readUInt32BE(0) % 248);
}

/**
 * Addresses and names for index k. The pod and service networks carry k as well (10.244.<k>.0/24,
 * 10.0.<k>.0/24): with k = 0 they are the documented 10.244.0.0/24 and 10.0.0.0/24, and two
 * environments never ask for the same host route.
 */
export function nodeNetwork(index: number): NodeNetwork {
  return {
    index,
    netns: `pms-node-${index}`,
    netnsPath: `/run/netns/pms-node-${index}`,
    hostVeth: `pmsh${index}`,
    nodeVeth: `pmsn${index}`,
    hostIp: `10.250.${index}.1`,
    nodeIp: `10.250.${index}.2`,
    podCidr: `10.244.${index}.0/24`,
    podGateway: `10.244.${index}.1`,
    serviceCidr: `10.0.${index}.0/24`,
    apiServiceIp: `10.0.${index}.1`,
    clusterDns: `10.0.${index}.10`,
  };
}

function run(cmd: string, args: string[], allowFail = false): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.error) throw new Error(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd} ${args.join(' ')} failed: ${out}`);
  return { ok: r.status === 0, out };
}

/** Runs a command inside the node namespace (network only: the mount namespace stays shared). */
export function inNetns(net: NodeNetwork, cmd: string, args: string[], allowFail = false) {
  return run('nsenter', [`--net=${net.netnsPath}`, cmd, ...args], allowFail);
}

/** The state folder that created the host veth (kept as its interface alias), if it exists. */
export function vethOwner(net: NodeNetwork): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${net.hostVeth}/ifalias`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether this state folder may use or remove index k's network: nobody holds it, or we do.
 * Two folders hashing to the same index must not tear down each other's node.
 */
export function ownsNodeNetwork(net: NodeNetwork, owner: string): boolean {
  const current = vethOwner(net);
  return current === undefined || current === '' || current === owner;
}

/** Process ids an environment's state folder records: its services' processes, and the `up` in progress. */
function recordedPids(owner: string): number[] {
  const pids: number[] = [];
  try {
    const state = JSON.parse(readFileSync(join(owner, 'state.json'), 'utf8')) as {
      services?: Array<{ processes?: Array<{ pid?: unknown }> }>;
    };
    for (const s of state.services ?? [])
      for (const p of s.processes ?? []) if (typeof p.pid === 'number') pids.push(p.pid);
  } catch {
    /* no state (stopped, or `up` still starting): the up.pid file below says which */
  }
  try {
    pids.push(Number(readFileSync(join(owner, 'up.pid'), 'utf8').trim()));
  } catch {
    /* no `up` running there */
  }
  return pids.filter((p) => Number.isInteger(p) && p > 0);
}

/**
 * Whether the environment in state folder `owner` still runs: a process in its node namespace,
 * one of its recorded processes, or its `up` is alive. A run killed with its machine session
 * (or a deleted clone) leaves the network behind with none of these; it may then be reclaimed.
 */
export function environmentAlive(owner: string, net: NodeNetwork): boolean {
  if (existsSync(net.netnsPath) && run('ip', ['netns', 'pids', net.netns], true).out !== '')
    return true;
  return recordedPids(owner).some(isAlive);
}

/** Creates the namespace, veth pair, addresses and host routes (idempotent). */
export function ensureNodeNetwork(net: NodeNetwork, owner: string): void {
  if (process.getuid?.() !== 0)
    throw new Error('the `node` service needs root (network namespaces, mounts, containerd)');
  if (!ownsNodeNetwork(net, owner))
    throw new Error(
      `node network index ${net.index} is in use by the environment in ${vethOwner(net)}; ` +
        'set PMS_TESTENV_NODE_INDEX to another number (0..249) for this one',
    );
  if (!existsSync(net.netnsPath)) run('ip', ['netns', 'add', net.netns]);
  if (!run('ip', ['link', 'show', net.hostVeth], true).ok) {
    run('ip', ['link', 'add', net.hostVeth, 'type', 'veth', 'peer', 'name', net.nodeVeth]);
    run('ip', ['link', 'set', net.hostVeth, 'alias', owner]);
    run('ip', ['link', 'set', net.nodeVeth, 'netns', net.netns]);
    run('ip', ['addr', 'add', `${net.hostIp}/30`, 'dev', net.hostVeth]);
    run('ip', ['link', 'set', net.hostVeth, 'up']);
    inNetns(net, 'ip', ['addr', 'add', `${net.nodeIp}/30`, 'dev', net.nodeVeth]);
    inNetns(net, 'ip', ['link', 'set', net.nodeVeth, 'up']);
  }
  inNetns(net, 'ip', ['link', 'set', 'lo', 'up']);
  // The node routes between its veth, the pod bridge and kube-proxy's service addresses.
  inNetns(net, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  for (const cidr of [net.podCidr, net.serviceCidr])
    run('ip', ['route', 'replace', cidr, 'via', net.nodeIp, 'dev', net.hostVeth]);
}

/** Removes the host routes, the veth pair and the namespace; whatever is missing is skipped. */
export function removeNodeNetwork(net: NodeNetwork): void {
  for (const cidr of [net.podCidr, net.serviceCidr])
    run('ip', ['route', 'del', cidr, 'via', net.nodeIp, 'dev', net.hostVeth], true);
  // Deleting one end of a veth pair deletes both.
  run('ip', ['link', 'del', net.hostVeth], true);
  if (existsSync(net.netnsPath)) run('ip', ['netns', 'del', net.netns], true);
}

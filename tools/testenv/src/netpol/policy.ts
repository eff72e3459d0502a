// NetworkPolicy v1 semantics as data: which pods are isolated, in which direction, and what each
// of them is allowed to talk to. Pure: the iptables text is made from this by rules.ts.
//
// - A pod is isolated for ingress (egress) when a policy of its namespace selects it and lists
//   Ingress (Egress) in policyTypes; without policyTypes, Ingress always, Egress when the policy
//   has egress rules (the API server's defaulting). Pods no policy selects are not isolated.
// - What an isolated pod may do is the union of every selecting policy's rules; a rule allows
//   its peers (all addresses when `from`/`to` is empty) on its ports (all when empty).
// - Peers: podSelector (policy namespace), namespaceSelector (all pods there), both (pods
//   matching in namespaces matching), ipBlock (cidr minus except, IPv4).
// - Ports: protocol defaults to TCP; endPort makes a range; a named port is looked up in the
//   containerPorts of the pod the traffic goes to: the selected pod for ingress, the peer pod
//   for egress (an ipBlock or "any" peer is expanded into the known pods it contains).
// - Pods that are finished, have no IP yet, or use the host network are neither targets nor
//   peers (a host-network pod has the node's address, which is always allowed).
import { containsIp, formatBlock, parseCidr, subtractCidrs, type Block } from './cidr.ts';
import { matchesSelector } from './selector.ts';
import type { Labels, Namespace, NetworkPolicy, Pod, PolicyPeer, PolicyPort } from './types.ts';

export type Proto = 'tcp' | 'udp' | 'sctp';
export type Direction = 'ingress' | 'egress';

/** One allowed combination. Absent fields match anything. */
export interface Allow {
  /** The other side: a CIDR (a pod is its /32). */
  peer?: string;
  proto?: Proto;
  /** "80" or a range "8000:8080"; only with proto. */
  ports?: string;
}

export interface Isolation {
  direction: Direction;
  /** namespace/name */
  pod: string;
  ip: string;
  allows: Allow[];
}

export interface Cluster {
  pods: Pod[];
  namespaces: Namespace[];
  policies: NetworkPolicy[];
}

interface ActivePod {
  pod: Pod;
  key: string;
  ip: string;
  nsLabels: Labels;
}

const key = (m: { namespace: string; name: string }) => `${m.namespace}/${m.name}`;
const byKey = <T extends { metadata: { namespace: string; name: string } }>(a: T, b: T) =>
  key(a.metadata) < key(b.metadata) ? -1 : key(a.metadata) > key(b.metadata) ? 1 : 0;

/** A pod that takes part in pod networking now. */
export function isActive(p: Pod): boolean {
  const ip = p.status?.podIP;
  return (
    !!ip &&
    parseCidr(`${ip}/32`) !== undefined &&
    !p.spec?.hostNetwork &&
    p.status?.phase !== 'Succeeded' &&
    p.status?.phase !== 'Failed'
  );
}

/** policyTypes as the API server defaults them. */
export function policyTypes(np: NetworkPolicy): Direction[] {
  const given = np.spec.policyTypes;
  if (given && given.length > 0)
    return given
      .map((t) => t.toLowerCase())
      .filter((t): t is Direction => t === 'ingress' || t === 'egress');
  return (np.spec.egress?.length ?? 0) > 0 ? ['ingress', 'egress'] : ['ingress'];
}

interface Peer {
  /** undefined: any address */
  cidr?: string;
  block?: Block;
  /** Set when the peer is one pod (its /32). */
  pod?: ActivePod;
}

function toProto(protocol: string | undefined): Proto | undefined {
  const p = (protocol ?? 'TCP').toLowerCase();
  return p === 'tcp' || p === 'udp' || p === 'sctp' ? p : undefined;
}

/** The numbers a named port stands for in one pod (any container, same protocol). */
function namedPorts(pod: Pod, name: string, proto: Proto): number[] {
  const containers = [
    ...(pod.spec?.containers ?? []),
    // Sidecars (restartable init containers) serve for the pod's lifetime too.
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  return containers
    .flatMap((c) => c.ports ?? [])
    .filter((p) => p.name === name && toProto(p.protocol) === proto)
    .map((p) => p.containerPort);
}

type PortMatch = Pick<Allow, 'proto' | 'ports'>;

/** A non-empty `ports` list as matches; named ports through `owner` (none without one). */
function resolvePorts(ports: PolicyPort[], owner: Pod | undefined): PortMatch[] {
  return ports.flatMap((p): PortMatch[] => {
    const proto = toProto(p.protocol);
    if (!proto) return [];
    if (p.port === undefined) return [{ proto }];
    if (typeof p.port === 'number')
      return [
        {
          proto,
          ports:
            p.endPort !== undefined && p.endPort > p.port ? `${p.port}:${p.endPort}` : `${p.port}`,
        },
      ];
    // IntOrString: a string of digits is a number sent as a string.
    if (/^\d+$/.test(p.port)) return [{ proto, ports: p.port }];
    return owner ? namedPorts(owner, p.port, proto).map((n) => ({ proto, ports: `${n}` })) : [];
  });
}

const isNamed = (p: PolicyPort) => typeof p.port === 'string' && !/^\d+$/.test(p.port);

class Resolver {
  readonly active: ActivePod[];
  private readonly nsLabels: Map<string, Labels>;
  private readonly namespaces: string[];

  constructor(c: Cluster) {
    this.nsLabels = new Map(
      c.namespaces.map((n) => [
        n.metadata.name,
        // The API server sets this label on every namespace; a namespace not seen yet has it too.
        { 'kubernetes.io/metadata.name': n.metadata.name, ...(n.metadata.labels ?? {}) },
      ]),
    );
    this.active = [...c.pods]
      .filter(isActive)
      .sort(byKey)
      .map((pod) => ({
        pod,
        key: key(pod.metadata),
        ip: pod.status?.podIP as string,
        nsLabels: this.labelsOf(pod.metadata.namespace),
      }));
    this.namespaces = [...this.nsLabels.keys()];
  }

  labelsOf(ns: string): Labels {
    return this.nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
  }

  /** The peers a list of NetworkPolicyPeers means for a policy of namespace `ns`. */
  peers(list: PolicyPeer[] | undefined, ns: string): Peer[] {
    if (!list || list.length === 0) return [{}];
    return list.flatMap((p): Peer[] => {
      if (p.ipBlock) {
        const block = parseCidr(p.ipBlock.cidr);
        if (!block) return []; // IPv6: no IPv6 pods or addresses here
        const except = (p.ipBlock.except ?? []).map(parseCidr).filter((b): b is Block => !!b);
        return subtractCidrs(block, except).map((b) => ({ cidr: formatBlock(b), block: b }));
      }
      if (!p.podSelector && !p.namespaceSelector) return [];
      return this.active
        .filter(
          (a) =>
            (p.namespaceSelector
              ? matchesSelector(p.namespaceSelector, a.nsLabels)
              : a.pod.metadata.namespace === ns) &&
            (!p.podSelector || matchesSelector(p.podSelector, a.pod.metadata.labels)),
        )
        .map((a) => ({ cidr: `${a.ip}/32`, pod: a }));
    });
  }

  /** Known pods a CIDR peer (or "any") covers: where an egress named port can be looked up. */
  podsIn(peer: Peer): ActivePod[] {
    if (peer.pod) return [peer.pod];
    return this.active.filter((a) => !peer.block || containsIp(peer.block, a.ip));
  }
}

function allowsOf(
  r: Resolver,
  np: NetworkPolicy,
  direction: Direction,
  target: ActivePod,
): Allow[] {
  const ns = np.metadata.namespace;
  const rules =
    direction === 'ingress'
      ? (np.spec.ingress ?? []).map((x) => ({ peers: x.from, ports: x.ports }))
      : (np.spec.egress ?? []).map((x) => ({ peers: x.to, ports: x.ports }));
  return rules.flatMap(({ peers: list, ports = [] }) => {
    const peers = r.peers(list, ns);
    const peerOnly = (p: Peer): Allow => (p.cidr ? { peer: p.cidr } : {});
    if (ports.length === 0) return peers.map(peerOnly);
    if (direction === 'ingress') {
      const matches = resolvePorts(ports, target.pod);
      return peers.flatMap((p) => matches.map((m) => ({ ...peerOnly(p), ...m })));
    }
    // Egress: numbers hold for every peer; a name is the destination pod's port.
    const numeric = resolvePorts(
      ports.filter((p) => !isNamed(p)),
      undefined,
    );
    const named = ports.filter(isNamed);
    return peers.flatMap((p) => [
      ...numeric.map((m) => ({ ...peerOnly(p), ...m })),
      ...(named.length === 0
        ? []
        : r
            .podsIn(p)
            .flatMap((dst) =>
              resolvePorts(named, dst.pod).map((m) => ({ peer: `${dst.ip}/32`, ...m })),
            )),
    ]);
  });
}

const allowKey = (a: Allow) => `${a.peer ?? '*'}|${a.proto ?? '*'}|${a.ports ?? '*'}`;

/**
 * Every isolated (pod, direction) with what it is allowed. `nodeName` limits the targets to the
 * pods of one node (the engine enforces on its node only); peers come from the whole cluster.
 */
export function isolations(c: Cluster, nodeName?: string): Isolation[] {
  const r = new Resolver(c);
  const policies = [...c.policies].sort(byKey);
  const out: Isolation[] = [];
  for (const target of r.active) {
    if (nodeName !== undefined && target.pod.spec?.nodeName !== nodeName) continue;
    const selecting = policies.filter(
      (np) =>
        np.metadata.namespace === target.pod.metadata.namespace &&
        matchesSelector(np.spec.podSelector, target.pod.metadata.labels),
    );
    for (const direction of ['egress', 'ingress'] as const) {
      const applying = selecting.filter((np) => policyTypes(np).includes(direction));
      if (applying.length === 0) continue;
      const seen = new Map<string, Allow>();
      for (const np of applying)
        for (const a of allowsOf(r, np, direction, target)) seen.set(allowKey(a), a);
      out.push({ direction, pod: target.key, ip: target.ip, allows: [...seen.values()] });
    }
  }
  return out;
}

// The parts of Pods, Namespaces and NetworkPolicies (networking.k8s.io/v1) the engine reads.
// The watcher keeps only these fields (slim), so a status update that changes none of them
// (a condition, a restart count) never triggers a sync.

export type Labels = Record<string, string>;

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Pod {
  metadata: { name: string; namespace: string; labels?: Labels };
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    containers?: Array<{ ports?: ContainerPort[] }>;
    initContainers?: Array<{ ports?: ContainerPort[]; restartPolicy?: string }>;
  };
  status?: { phase?: string; podIP?: string };
}

export interface Namespace {
  metadata: { name: string; labels?: Labels };
}

export interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: Array<{ from?: PolicyPeer[]; ports?: PolicyPort[] }>;
    egress?: Array<{ to?: PolicyPeer[]; ports?: PolicyPort[] }>;
  };
}

/** main.ts's config file, written by the `node` service. */
export interface EngineConfig {
  /** API server URL and client-certificate files. */
  server: string;
  ca: string;
  cert: string;
  key: string;
  nodeName: string;
  /** The node's own addresses (node IP, pod gateway): their traffic is always allowed. */
  alwaysAllowed: string[];
  /** Written after every sync: { syncs, at, resourceVersions }. */
  statusFile: string;
}

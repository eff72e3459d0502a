// The fields the engine keeps of each watched object (types.ts). Comparing slim copies tells a
// change that matters (labels, IP, phase, ports, a policy's spec) from one that does not
// (conditions, managedFields, a status heartbeat).
import type { ContainerPort, Namespace, NetworkPolicy, Pod } from './types.ts';

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}
interface RawPod {
  metadata: Meta;
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    containers?: Array<{ ports?: ContainerPort[] }>;
    initContainers?: Array<{ ports?: ContainerPort[]; restartPolicy?: string }>;
  };
  status?: { phase?: string; podIP?: string };
}

const ports = (list: ContainerPort[] | undefined) =>
  list?.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol }));

export function slimPod(o: RawPod): Pod {
  return {
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? '',
      labels: o.metadata.labels ?? {},
    },
    spec: {
      nodeName: o.spec?.nodeName,
      hostNetwork: o.spec?.hostNetwork,
      containers: (o.spec?.containers ?? []).map((c) => ({ ports: ports(c.ports) })),
      initContainers: (o.spec?.initContainers ?? []).map((c) => ({
        ports: ports(c.ports),
        restartPolicy: c.restartPolicy,
      })),
    },
    status: { phase: o.status?.phase, podIP: o.status?.podIP },
  };
}

export function slimNamespace(o: { metadata: Meta }): Namespace {
  return { metadata: { name: o.metadata.name, labels: o.metadata.labels ?? {} } };
}

export function slimPolicy(o: { metadata: Meta; spec: NetworkPolicy['spec'] }): NetworkPolicy {
  return {
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace ?? '' },
    spec: o.spec,
  };
}

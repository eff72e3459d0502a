// Configuration files of the real node (containerd, CNI, kubelet, kube-proxy) and the CoreDNS
// objects, as pure functions of the node's paths and network so they are unit-tested and the
// service module only does the starting and waiting.
import type { NodeNetwork } from './network.ts';

export interface NodePaths {
  /** Root of everything the node writes: one folder, so `down` can unmount and delete it. */
  dir: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  containerdConfig: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  podLogs: string;
  resolvConf: string;
  kubeletConfig: string;
  kubeProxyConfig: string;
}

export const pauseImage = 'localhost/pms/pause:3.10';
export const corednsImage = 'localhost/pms/coredns:1.15.0';

export const realNodeLabel = 'pms.io/real-node';

/** Namespace annotations that send a namespace's pods to the real node (PodNodeSelector and
 * PodTolerationRestriction admission). */
export const realNodeNamespaceAnnotations: Record<string, string> = {
  'scheduler.alpha.kubernetes.io/node-selector': `${realNodeLabel}=true`,
  'scheduler.alpha.kubernetes.io/defaultTolerations': JSON.stringify([
    { key: realNodeLabel, operator: 'Exists', effect: 'NoSchedule' },
  ]),
};

const q = (s: string) => JSON.stringify(s);

/** containerd 1.6 (config version 2) with its own root, state, socket and CRI settings. */
export function containerdToml(p: NodePaths): string {
  return `version = 2
root = ${q(p.containerdRoot)}
state = ${q(p.containerdState)}
# Plugins that would write outside our folder (/opt/containerd) or that we do not use.
disabled_plugins = [
  "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = ${q(p.containerdSocket)}

[ttrpc]
  address = ${q(`${p.containerdSocket}.ttrpc`)}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(pauseImage)}
  # This VM refuses negative oom_score_adj: without this every sandbox fails with
  # "runc create failed: can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  # Pod network namespaces under our state folder, so \`down\` finds and removes them all.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${q(`${p.containerdState}/runc`)}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(p.cniConfDir)}
`;
}

/** Bridge network for the pods (NAT to the node's veth, hairpin for a pod reaching itself
 * through its Service) plus portmap for hostPort. containerd sets up each pod's loopback itself
 * with the `loopback` plugin from the same bin_dir. */
export function cniConflist(net: NodeNetwork, p: NodePaths): object {
  return {
    cniVersion: '1.0.0',
    name: net.netns,
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          // Not the shared /var/lib/cni/networks: this environment's folder.
          dataDir: p.cniIpamDir,
          ranges: [[{ subnet: net.podCidr, gateway: net.podGateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

export interface KubeletFiles {
  caCert: string;
  servingCert: string;
  servingKey: string;
}

/** KubeletConfiguration. Cgroups go under /<netns>, so `down` can find every container process. */
export function kubeletConfig(
  net: NodeNetwork,
  p: NodePaths,
  files: KubeletFiles,
  tainted: boolean,
): object {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    containerRuntimeEndpoint: `unix://${p.containerdSocket}`,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: `/${net.netns}`,
    failCgroupV1: false,
    failSwapOn: false,
    // The VM refuses negative oom_score_adj (the kubelet's default for itself is -999).
    oomScoreAdj: 0,
    address: net.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    tlsCertFile: files.servingCert,
    tlsPrivateKeyFile: files.servingKey,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: files.caCert },
    },
    authorization: { mode: 'Webhook' },
    clusterDNS: [net.clusterDns],
    clusterDomain: 'cluster.local',
    resolvConf: p.resolvConf,
    podLogsDir: p.podLogs,
    volumePluginDir: `${p.kubeletRoot}/volume-plugins`,
    registerWithTaints: tainted
      ? [{ key: realNodeLabel, value: 'true', effect: 'NoSchedule' }]
      : [],
    // A shared development disk: never evict pods or collect our imported (unpullable) images.
    evictionHard: {
      'memory.available': '50Mi',
      'nodefs.available': '1%',
      'nodefs.inodesFree': '1%',
      'imagefs.available': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    nodeStatusUpdateFrequency: '10s',
    maxPods: 110,
  };
}

export function kubeProxyConfig(net: NodeNetwork, kubeconfig: string, nodeName: string): object {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig },
    hostnameOverride: nodeName,
    mode: 'iptables',
    clusterCIDR: net.podCidr,
    bindAddress: net.nodeIp,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    // Every service packet is SNATed, so replies from a pod on the same bridge come back
    // through the node (no br_netfilter needed) and the host's packets find their way back.
    iptables: { masqueradeAll: true },
    // conntrack limits are machine-wide: leave them as they are.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  };
}

/** Cluster DNS for cluster.local only. There is no `forward`: other names are REFUSED (no
 * server block for them), so nothing is ever sent to an outside resolver. */
export const corefile = `cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        ttl 30
    }
    cache 30
    loadbalance
    reload
}
`;

/** The CoreDNS objects, each with the API path to POST it to. */
export function corednsObjects(net: NodeNetwork): Array<{ path: string; body: object }> {
  const ns = 'kube-system';
  const labels = { 'k8s-app': 'kube-dns' };
  return [
    {
      path: `/api/v1/namespaces/${ns}/serviceaccounts`,
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns' } },
    },
    {
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'system:coredns' },
        rules: [
          {
            apiGroups: [''],
            resources: ['endpoints', 'services', 'pods', 'namespaces'],
            verbs: ['list', 'watch'],
          },
          {
            apiGroups: ['discovery.k8s.io'],
            resources: ['endpointslices'],
            verbs: ['list', 'watch'],
          },
        ],
      },
    },
    {
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'system:coredns' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'system:coredns',
        },
        subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: ns }],
      },
    },
    {
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'coredns' },
        data: { Corefile: corefile },
      },
    },
    {
      path: `/apis/apps/v1/namespaces/${ns}/deployments`,
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'coredns', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: 'coredns',
              // Its own resolver: never the cluster DNS it is.
              dnsPolicy: 'Default',
              nodeSelector: { [realNodeLabel]: 'true' },
              tolerations: [{ key: realNodeLabel, operator: 'Exists', effect: 'NoSchedule' }],
              containers: [
                {
                  name: 'coredns',
                  image: corednsImage,
                  imagePullPolicy: 'Never',
                  args: ['-conf', '/etc/coredns/Corefile'],
                  ports: [
                    { name: 'dns', containerPort: 53, protocol: 'UDP' },
                    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                  ],
                  volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
                  livenessProbe: {
                    httpGet: { path: '/health', port: 8080 },
                    periodSeconds: 10,
                    failureThreshold: 5,
                  },
                  readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                },
              ],
              volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
            },
          },
        },
      },
    },
    {
      path: `/api/v1/namespaces/${ns}/services`,
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kube-dns', labels },
        spec: {
          selector: labels,
          clusterIP: net.clusterDns,
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
            { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          ],
        },
      },
    },
  ];
}

/** The client-certificate user of the NetworkPolicy engine (src/netpol). */
export const netpolUser = 'pms-netpol';

/** Read-only access for the NetworkPolicy engine: list and watch what it translates. */
export function netpolRbacObjects(): Array<{ path: string; body: object }> {
  const name = 'pms:netpol';
  return [
    {
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name },
        rules: [
          { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['list', 'watch'] },
          {
            apiGroups: ['networking.k8s.io'],
            resources: ['networkpolicies'],
            verbs: ['list', 'watch'],
          },
        ],
      },
    },
    {
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: netpolUser }],
      },
    },
  ];
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { nodeIndex, nodeNetwork } from './network.ts';
import { mountsUnder } from './node.ts';
import { containerdToml, corefile, kubeletConfig, type NodePaths } from './nodeconfig.ts';

it('gives the default folder index 0 and other folders a stable index outside 0 and 1', () => {
  assert.equal(nodeIndex(undefined), 0);
  const k = nodeIndex('/tmp/testenv-a');
  assert.equal(nodeIndex('/tmp/testenv-a'), k);
  assert.ok(k >= 2 && k <= 249);
  assert.equal(nodeIndex('/tmp/testenv-a', '7'), 7);
  assert.throws(() => nodeIndex(undefined, '300'), /0\.\.249/);
});

it('uses the documented addresses for index 0', () => {
  const n = nodeNetwork(0);
  assert.deepEqual(
    [n.netns, n.hostVeth, n.hostIp, n.nodeIp, n.podCidr, n.serviceCidr, n.clusterDns],
    [
      'pms-node-0',
      'pmsh0',
      '10.250.0.1',
      '10.250.0.2',
      '10.244.0.0/24',
      '10.0.0.0/24',
      '10.0.0.10',
    ],
  );
});

it('lists mounts under a folder deepest first, and only those', () => {
  const info = [
    '36 35 98:0 / /tmp/env/data/node/kubelet/pods/x rw - tmpfs tmpfs rw',
    '37 35 98:0 / /tmp/env/data/node/kubelet/pods/x/volumes/a rw - tmpfs tmpfs rw',
    '38 35 98:0 / /tmp/env/data-other rw - tmpfs tmpfs rw',
    '39 35 98:0 / /tmp/env/data/with\\040space rw - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(mountsUnder(info, '/tmp/env/data'), [
    '/tmp/env/data/node/kubelet/pods/x/volumes/a',
    '/tmp/env/data/node/kubelet/pods/x',
    '/tmp/env/data/with space',
  ]);
});

const paths: NodePaths = {
  dir: '/s/node',
  containerdRoot: '/s/node/containerd/root',
  containerdState: '/s/node/containerd/state',
  containerdSocket: '/s/node/containerd/containerd.sock',
  containerdConfig: '/s/node/containerd/config.toml',
  cniConfDir: '/s/node/cni/net.d',
  cniIpamDir: '/s/node/cni/ipam',
  kubeletRoot: '/s/node/kubelet',
  podLogs: '/s/node/pod-logs',
  resolvConf: '/s/node/resolv.conf',
  kubeletConfig: '/s/node/kubelet-config.yaml',
  kubeProxyConfig: '/s/node/kube-proxy-config.yaml',
};

it('configures containerd with the settings this VM needs', () => {
  const toml = containerdToml(paths);
  for (const line of [
    'restrict_oom_score_adj = true',
    'SystemdCgroup = false',
    'bin_dir = "/usr/lib/cni"',
    'sandbox_image = "localhost/pms/pause:3.10"',
    'netns_mounts_under_state_dir = true',
  ])
    assert.ok(toml.includes(line), line);
});

it('taints the node only when asked (kwok shares the cluster)', () => {
  const files = { caCert: 'ca', servingCert: 'c', servingKey: 'k' };
  const tainted = kubeletConfig(nodeNetwork(0), paths, files, true) as Record<string, unknown>;
  const plain = kubeletConfig(nodeNetwork(0), paths, files, false) as Record<string, unknown>;
  assert.deepEqual(tainted.registerWithTaints, [
    { key: 'pms.io/real-node', value: 'true', effect: 'NoSchedule' },
  ]);
  assert.deepEqual(plain.registerWithTaints, []);
  assert.deepEqual(tainted.clusterDNS, ['10.0.0.10']);
});

it('never forwards DNS queries outside the cluster', () => {
  assert.doesNotMatch(corefile, /forward|proxy|^\.:/m);
});

// The real node runs containers for real: a pod of an image built here runs there and its log is
// readable through the API (the `kubectl logs` path through the kubelet), a Service is reachable
// from another pod by its DNS name (CoreDNS) and from the host through its ClusterIP, and a
// hostPort answers on the node's address.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, realNodeNamespaceAnnotations, testEnv } from '../src/index.ts';
import { buildahBuild, importIntoContainerd, ociArchive } from '../src/oci.ts';

const env = testEnv('kube', 'node');
const kc = new k8s.KubeConfig();
kc.loadFromFile(env.kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const namespace = `node-smoke-${process.pid}-${Date.now().toString(36)}`;
const image = 'localhost/pms/busybox:testenv';
const hostPort = 18080;

/** FROM scratch + Debian's static busybox (the busybox-static package). */
function buildBusybox(): void {
  const context = mkdtempSync(join(tmpdir(), 'busybox-image-'));
  try {
    copyFileSync('/bin/busybox', join(context, 'busybox'));
    writeFileSync(
      join(context, 'Containerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox"]\n',
    );
    buildahBuild({ tag: image, file: join(context, 'Containerfile'), context });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  importIntoContainerd(env.node.containerdAddress, ociArchive(image));
}

function pod(name: string, args: string[], extra: Partial<k8s.V1Container> = {}): k8s.V1Pod {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [
        { name, image, imagePullPolicy: 'Never', command: ['/bin/busybox', ...args], ...extra },
      ],
    },
  };
}

async function runningPod(name: string): Promise<k8s.V1Pod> {
  return eventually(
    `pod ${name} Running`,
    async () => {
      const p = await core.readNamespacedPod({ namespace, name });
      if (p.status?.phase === 'Failed') throw new Error(`pod ${name} failed`);
      return p.status?.phase === 'Running' ? p : undefined;
    },
    90_000,
  );
}

/** The log of a pod that ran to completion; fails with that log if the pod failed. */
async function completedLog(name: string): Promise<string> {
  const phase = await eventually(
    `pod ${name} to complete`,
    async () => {
      const p = await core.readNamespacedPod({ namespace, name });
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'
        ? p.status.phase
        : undefined;
    },
    90_000,
  );
  const log = await core.readNamespacedPodLog({ namespace, name });
  assert.equal(phase, 'Succeeded', `pod ${name} failed; its log:\n${log}`);
  return log;
}

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('the real node', () => {
  before(async () => {
    buildBusybox();
    await core.createNamespace({
      body: { metadata: { name: namespace, annotations: realNodeNamespaceAnnotations } },
    });
    // An HTTP server behind a Service, also published on the node's port 18080.
    const web = pod(
      'web',
      ['sh', '-c', 'echo pms-ok > /index.html && exec /bin/busybox httpd -f -v -p 8080 -h /'],
      {
        ports: [{ containerPort: 8080, hostPort }],
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      },
    );
    await core.createNamespacedPod({ namespace, body: web });
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
  });
  after(async () => {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('runs a pod of a locally built image and serves its log through the API', async () => {
    await core.createNamespacedPod({
      namespace,
      body: pod('hello', ['sh', '-c', 'echo hello from $(/bin/busybox hostname)']),
    });
    const log = await completedLog('hello');
    assert.equal(log.trim(), 'hello from hello');
    const p = await core.readNamespacedPod({ namespace, name: 'hello' });
    assert.equal(p.spec?.nodeName, env.node.name, 'the namespace annotations chose the real node');
  });

  it('reaches a Service from another pod by its DNS name', async () => {
    await runningPod('web');
    await core.createNamespacedPod({
      namespace,
      body: pod('client', [
        'sh',
        '-c',
        // nslookup speaks DNS itself to the pod's nameserver (CoreDNS). The static busybox's own
        // libc resolver is unusable in a scratch image (its wget crashes once resolv.conf has
        // search or options lines), so nc fetches from the resolved address. Retries: the
        // Service's endpoints may be published a moment after the server pod is Ready.
        [
          'bb=/bin/busybox',
          'for i in 1 2 3 4 5 6 7 8 9 10; do',
          `  ip=$($bb nslookup web.${namespace}.svc.cluster.local | $bb awk '/^Address: / { a = $2 } END { print a }')`,
          `  [ -n "$ip" ] && printf 'GET / HTTP/1.0\\r\\n\\r\\n' | $bb nc -w 3 "$ip" 80 | $bb grep -x pms-ok && exit 0`,
          '  $bb sleep 1',
          'done',
          'exit 1',
        ].join('\n'),
      ]),
    });
    assert.equal((await completedLog('client')).trim(), 'pms-ok');
  });

  it('reaches the Service from the host through its ClusterIP', async () => {
    const svc = await core.readNamespacedService({ namespace, name: 'web' });
    const ip = svc.spec?.clusterIP ?? '';
    const body = await eventually('the ClusterIP to answer', () => httpGet(ip, 80), 30_000);
    assert.equal(body.trim(), 'pms-ok');
  });

  it('publishes a hostPort on the node address', async () => {
    await runningPod('web');
    const body = await eventually(
      'the hostPort to answer',
      () => httpGet(env.node.ip, hostPort),
      30_000,
    );
    assert.equal(body.trim(), 'pms-ok');
  });
});

// NetworkPolicies are enforced on the real node (src/netpol): busybox HTTP servers and clients
// in two namespaces, policies added and removed one step at a time, every connection made for
// real from inside a client pod (`kubectl exec … nc`). Denied connections are refused at once
// (ICMP port unreachable), not left to time out.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, realNodeNamespaceAnnotations, testEnv } from '../src/index.ts';
import { slimNamespace } from '../src/netpol/slim.ts';
import { Reflector } from '../src/netpol/watch.ts';
import { buildahBuild, importIntoContainerd, ociArchive } from '../src/oci.ts';

const env = testEnv('kube', 'node');
const kc = new k8s.KubeConfig();
kc.loadFromFile(env.kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const netApi = kc.makeApiClient(k8s.NetworkingV1Api);
const run = `${process.pid}-${Date.now().toString(36)}`;
const nsA = `netpol-a-${run}`;
const nsB = `netpol-b-${run}`;
const image = 'localhost/pms/busybox:testenv';
const port = 8080;

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

/** An HTTP server on 8080 answering `<name>-ok`, or (server: false) a pod that only waits. */
function pod(name: string, app: string, server: boolean): k8s.V1Pod {
  const script = server
    ? `echo ${name}-ok > /index.html && exec /bin/busybox httpd -f -p ${port} -h /`
    : 'exec /bin/busybox sleep 3600';
  return {
    metadata: { name, labels: { app } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'main',
          image,
          imagePullPolicy: 'Never',
          command: ['/bin/busybox', 'sh', '-c', script],
          ...(server
            ? {
                ports: [{ name: 'http', containerPort: port }],
                // The kubelet's probe comes from the node: it must pass under any policy.
                readinessProbe: { tcpSocket: { port }, periodSeconds: 1 },
              }
            : {}),
        },
      ],
    },
  };
}

/** Targets by name: 'a/server', 'b/server' (pod IPs, port 8080), 'a/service' (ClusterIP, 80). */
const targets: Record<string, [string, number]> = {};

function sh(ns: string, name: string, script: string): Promise<{ code: number; out: string }> {
  const args = ['--kubeconfig', env.kubeconfig, 'exec', '-n', ns, name, '--'];
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      [...args, '/bin/busybox', 'sh', '-c', script],
      { timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

type Outcome = 'connected' | 'refused' | 'timeout';
type From = [namespace: string, pod: string];

/** One HTTP request from a pod with busybox nc (3 s limit). */
async function connect(from: From, to: string): Promise<Outcome> {
  const [ip, p] = targets[to] ?? assert.fail(`unknown target ${to}`);
  const started = Date.now();
  const r = await sh(
    ...from,
    `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 3 ${ip} ${p}`,
  );
  if (r.out.includes('-ok')) return 'connected';
  // REJECT answers at once; a silent drop (or no engine at all) waits for nc's 3 s.
  return Date.now() - started < 2500 && /refused|reset/i.test(r.out) ? 'refused' : 'timeout';
}

/** Waits (bounded) for an outcome: a policy change takes effect after the engine's next sync. */
async function becomes(from: From, to: string, outcome: Outcome): Promise<void> {
  let last: Outcome | undefined;
  await eventually(
    `${from.join('/')} → ${to}: ${outcome}`,
    async () => (last = await connect(from, to)) === outcome,
    15_000,
  ).catch(() => assert.fail(`${from.join('/')} → ${to}: expected ${outcome}, got ${last}`));
}

/** The outcome now: used after `becomes` proved the latest policy is in force. */
async function is(from: From, to: string, outcome: Outcome): Promise<void> {
  assert.equal(await connect(from, to), outcome, `${from.join('/')} → ${to}`);
}

async function policy(ns: string, name: string, spec: k8s.V1NetworkPolicySpec): Promise<void> {
  await netApi.createNamespacedNetworkPolicy({ namespace: ns, body: { metadata: { name }, spec } });
}

const clientA: From = [nsA, 'client'];
const intruderA: From = [nsA, 'intruder'];
const clientB: From = [nsB, 'client'];
const serverB: From = [nsB, 'server'];

describe('NetworkPolicies on the real node', () => {
  before(async () => {
    buildBusybox();
    for (const [ns, side] of [
      [nsA, 'a'],
      [nsB, 'b'],
    ] as const) {
      await core.createNamespace({
        body: {
          metadata: {
            name: ns,
            labels: { 'pms.io/netpol-smoke': run, side },
            annotations: realNodeNamespaceAnnotations,
          },
        },
      });
    }
    const pods: Array<[string, k8s.V1Pod]> = [
      [nsA, pod('server', 'server', true)],
      [nsA, pod('client', 'client', false)],
      [nsA, pod('intruder', 'intruder', false)],
      [nsB, pod('server', 'server', true)],
      [nsB, pod('client', 'client', false)],
    ];
    for (const [namespace, body] of pods) await core.createNamespacedPod({ namespace, body });
    await core.createNamespacedService({
      namespace: nsA,
      body: {
        metadata: { name: 'server' },
        spec: { selector: { app: 'server' }, ports: [{ port: 80, targetPort: port }] },
      },
    });
    for (const [namespace, p] of pods) {
      const name = p.metadata?.name ?? '';
      const ready = await eventually(
        `${namespace}/${name} Ready`,
        async () => {
          const r = await core.readNamespacedPod({ namespace, name });
          const ok = r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          return ok && r.status?.podIP ? r : undefined;
        },
        90_000,
      );
      targets[`${namespace === nsA ? 'a' : 'b'}/${name}`] = [ready.status?.podIP ?? '', port];
    }
    const svc = await core.readNamespacedService({ namespace: nsA, name: 'server' });
    targets['a/service'] = [svc.spec?.clusterIP ?? '', 80];
  });

  after(async () => {
    for (const name of [nsA, nsB]) await core.deleteNamespace({ name }).catch(() => undefined);
  });

  it('connects everything while no policy exists', async () => {
    await becomes(clientA, 'a/server', 'connected');
    await is(clientB, 'a/server', 'connected');
    await is(clientA, 'b/server', 'connected');
    await becomes(clientB, 'a/service', 'connected');
  });

  it('default-deny ingress refuses new connections, through the Service too, not probes', async () => {
    await policy(nsA, 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
    await becomes(clientB, 'a/server', 'refused');
    await is(clientA, 'a/server', 'refused');
    await is(clientB, 'a/service', 'refused');
    await is(clientA, 'b/server', 'connected');
    // The host is outside the cluster: refused as well.
    const [ip] = targets['a/server'] ?? [];
    await assert.rejects(
      fetch(`http://${ip}:${port}/`, { signal: AbortSignal.timeout(2000) }),
      (e: Error) =>
        /ECONNREFUSED|ECONNRESET/.test(String((e.cause as Error | undefined)?.message ?? e)),
    );
    // The kubelet's readiness probe (every second, from the node) still passes.
    await new Promise((r) => setTimeout(r, 4000));
    const server = await core.readNamespacedPod({ namespace: nsA, name: 'server' });
    assert.ok(
      server.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      'server still Ready',
    );
  });

  it('an allow by namespaceSelector + podSelector lets exactly those clients in', async () => {
    await policy(nsA, 'from-b-clients', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [
        {
          _from: [
            {
              namespaceSelector: { matchLabels: { side: 'b' } },
              podSelector: { matchLabels: { app: 'client' } },
            },
          ],
          ports: [{ port: 'http' }], // named: the server's containerPort 8080
        },
      ],
    });
    await becomes(clientB, 'a/server', 'connected');
    await is(clientB, 'a/service', 'connected');
    await is(serverB, 'a/server', 'refused');
    await is(clientA, 'a/server', 'refused');
  });

  it('an allow by podSelector (matchExpressions) lets the namespace own client in', async () => {
    await policy(nsA, 'from-local-clients', {
      podSelector: {},
      ingress: [
        {
          _from: [
            {
              podSelector: {
                matchExpressions: [{ key: 'app', operator: 'In', values: ['client'] }],
              },
            },
          ],
        },
      ],
    });
    await becomes(clientA, 'a/server', 'connected');
    await is(intruderA, 'a/server', 'refused');
  });

  it('egress deny blocks a client even where the destination would let it in', async () => {
    await policy(nsB, 'client-egress', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
    });
    await becomes(clientB, 'a/server', 'refused');
    await is(clientB, 'b/server', 'refused');
    await is(serverB, 'b/server', 'connected');
  });

  it('an egress ipBlock with except opens the block but not the excepted address', async () => {
    const [serverA] = targets['a/server'] ?? [];
    await policy(nsB, 'client-egress-pods', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { ipBlock: { cidr: process.env.TESTENV_POD_CIDR ?? '', except: [`${serverA}/32`] } },
          ],
          ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }],
        },
      ],
    });
    await becomes(clientB, 'b/server', 'connected');
    await is(clientB, 'a/server', 'refused');
  });

  it('resolves names through CoreDNS once an allow-dns egress rule exists', async () => {
    const name = `server.${nsA}.svc.cluster.local`;
    const [serviceIp] = targets['a/service'] ?? [];
    const lookup = () => sh(...clientB, `/bin/busybox timeout 3 /bin/busybox nslookup ${name}`);
    assert.ok(!(await lookup()).out.includes(`Address: ${serviceIp}`), 'DNS is denied so far');
    // The same shape as operator/src/render/networkpolicies.ts `allow-dns`.
    await policy(nsB, 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    await eventually(
      `${name} to resolve from ${clientB.join('/')}`,
      async () => (await lookup()).out.includes(`Address: ${serviceIp}`),
      15_000,
    );
    await is(clientB, 'a/server', 'refused');
  });

  it('opens again within seconds once the policies are deleted', async () => {
    const started = Date.now();
    for (const namespace of [nsA, nsB])
      await netApi.deleteCollectionNamespacedNetworkPolicy({ namespace });
    await becomes(clientB, 'a/server', 'connected');
    await is(intruderA, 'a/server', 'connected');
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});

// The engine's list+watch against the real API server, with watches the server ends every
// second: every change is seen once the watch resumes, without listing again, and changes the
// engine does not read (an annotation) do not wake it.
describe('the engine watch', () => {
  const name = `netpol-watch-${run}`;
  const user = kc.getCurrentUser();
  const cluster = kc.getCurrentCluster();
  let changes = 0;
  const reflector = new Reflector(
    {
      server: cluster?.server ?? '',
      ca: cluster?.caFile ?? '',
      cert: user?.certFile ?? '',
      key: user?.keyFile ?? '',
    },
    // Only this test's namespace: others (the tests above) come and go meanwhile.
    `/api/v1/namespaces?fieldSelector=metadata.name%3D${name}`,
    slimNamespace,
    () => changes++,
    (m) => console.log(`reflector: ${m}`),
    () => 1,
  );
  after(async () => {
    reflector.close();
    await core.deleteNamespace({ name }).catch(() => undefined);
  });

  it('follows adds, label changes and deletes across resumed watches', async () => {
    void reflector.run();
    await eventually('the first list', async () => reflector.listed, 10_000);
    await core.createNamespace({ body: { metadata: { name, labels: { step: '1' } } } });
    await eventually('the new namespace', async () => reflector.items.has(name), 10_000);
    // Across a few ended-and-resumed watches.
    await new Promise((r) => setTimeout(r, 2500));
    const before = changes;
    await core.patchNamespace(
      { name, body: [{ op: 'add', path: '/metadata/annotations', value: { note: 'x' } }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    await core.patchNamespace(
      { name, body: [{ op: 'replace', path: '/metadata/labels/step', value: '2' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    await eventually(
      'the label change',
      async () => reflector.items.get(name)?.metadata.labels?.step === '2',
      10_000,
    );
    assert.equal(changes, before + 1, 'the annotation alone woke nobody');
    await core.deleteNamespace({ name });
    await eventually('the namespace gone', async () => !reflector.items.has(name), 60_000);
    assert.equal(reflector.lists, 1, 'resumed from the last resourceVersion, never listed again');
  });
});

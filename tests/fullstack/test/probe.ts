// Connection probes for the isolation tests: "can X open a TCP connection to Y?", asked from
// inside a real pod (kubectl exec into a running container, or a throw-away pod with chosen
// labels) or from the test host. Each answer is `open` or the error the client saw (a connection
// refused by a NetworkPolicy's reject, a timeout, ...), so a failure message says what happened.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Kubectl } from './cluster.ts';

export interface Target {
  /** What the target is, for messages ("tenant B's Redis"). */
  name: string;
  host: string;
  port: number;
}

export type Outcome = 'open' | string;

/**
 * The probe, as a `node -e` program (CommonJS: -e evaluates a script). argv[1] is a JSON list of
 * [host, port]; it prints one JSON list of outcomes. 4 s per connection: a dropped packet shows
 * as a timeout, a rejected one at once.
 */
const probeProgram = `
const net = require('node:net');
const targets = JSON.parse(process.argv[1]);
Promise.all(targets.map(([host, port]) => new Promise((done) => {
  const s = net.connect({ host, port, timeout: 4000 });
  s.on('connect', () => { s.destroy(); done('open'); });
  s.on('timeout', () => { s.destroy(); done('timeout'); });
  s.on('error', (e) => done(e.code || String(e)));
}))).then((r) => console.log(JSON.stringify(r)));
`;

function parse(out: string, targets: Target[]): Outcome[] {
  const line = out.trim().split('\n').pop() ?? '';
  const outcomes = JSON.parse(line) as Outcome[];
  if (outcomes.length !== targets.length) throw new Error(`probe printed ${line}`);
  return outcomes;
}

const pairs = (targets: Target[]) => JSON.stringify(targets.map((t) => [t.host, t.port]));

/** From a running container: `kubectl exec` (the container needs `node`: our app images). */
export function probeFromContainer(
  kubectl: Kubectl,
  namespace: string,
  workload: string,
  container: string,
  targets: Target[],
): Outcome[] {
  const out = kubectl([
    'exec',
    '-n',
    namespace,
    workload,
    '-c',
    container,
    '--',
    'node',
    '-e',
    probeProgram,
    pairs(targets),
  ]);
  return parse(out, targets);
}

/**
 * The policy engine of the test node (tools/testenv/src/netpol) programs rules for pod IPs it
 * has seen: a pod's first connections may come before the engine learnt its address. Waits
 * until the engine's last sync covers the pod's current resourceVersion (its status file).
 */
async function waitForPolicyEngine(
  resourceVersion: string,
  wait: (what: string, check: () => Promise<boolean>, timeoutMs: number) => Promise<unknown>,
): Promise<void> {
  const statusFile = process.env.TESTENV_NETPOL_STATUS;
  if (!statusFile) return;
  await wait(
    `the NetworkPolicy engine saw pod resourceVersion ${resourceVersion}`,
    async () => {
      const status = JSON.parse(readFileSync(statusFile, 'utf8')) as {
        resourceVersions?: { pods?: string };
      };
      return Number(status.resourceVersions?.pods ?? 0) >= Number(resourceVersion);
    },
    30_000,
  );
}

/**
 * From a new pod (image with `node`, labels chosen by the test, no ServiceAccount token, admitted
 * under Pod Security `restricted`): it idles until Running and known to the policy engine, the
 * probe runs in it through `kubectl exec`, and the pod is deleted.
 */
export async function probeFromPod(
  kubectl: Kubectl,
  namespace: string,
  name: string,
  image: string,
  labels: Record<string, string>,
  targets: Target[],
  wait: (what: string, check: () => Promise<boolean>, timeoutMs: number) => Promise<unknown>,
): Promise<Outcome[]> {
  kubectl(['delete', 'pod', name, '-n', namespace, '--ignore-not-found', '--wait=true']);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'probe',
          image,
          imagePullPolicy: 'Never',
          command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  };
  kubectl(['apply', '-f', '-'], JSON.stringify(pod));
  try {
    let resourceVersion = '';
    await wait(
      `probe pod ${namespace}/${name} running`,
      async () => {
        const p = kubectl.json<{
          metadata: { resourceVersion: string };
          status: { phase?: string; podIP?: string };
        }>(['get', 'pod', name, '-n', namespace]);
        if (p.status.phase === 'Failed') throw new Error(`probe pod ${name} failed`);
        resourceVersion = p.metadata.resourceVersion;
        return p.status.phase === 'Running' && Boolean(p.status.podIP);
      },
      120_000,
    );
    await waitForPolicyEngine(resourceVersion, wait);
    return probeFromContainer(kubectl, namespace, `pod/${name}`, 'probe', targets);
  } finally {
    kubectl(['delete', 'pod', name, '-n', namespace, '--wait=false']);
  }
}

/** From the test host (outside the cluster's pods; routed into the node like any client). */
export async function probeFromHost(targets: Target[]): Promise<Outcome[]> {
  return Promise.all(
    targets.map(
      (t) =>
        new Promise<Outcome>((done) => {
          const s = connect({ host: t.host, port: t.port, timeout: 4000 });
          s.on('connect', () => {
            s.destroy();
            done('open');
          });
          s.on('timeout', () => {
            s.destroy();
            done('timeout');
          });
          s.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? String(e)));
        }),
    ),
  );
}

/** One line per target: what was expected and what happened. */
export function report(from: string, targets: Target[], outcomes: Outcome[]): string {
  return targets
    .map((t, k) => `${from} -> ${t.name} (${t.host}:${t.port}): ${outcomes[k]}`)
    .join('\n');
}

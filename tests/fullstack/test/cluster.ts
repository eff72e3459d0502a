// The cluster as the full-stack test sees it: through `kubectl`, exactly as a platform team
// would (apply -k, create job --from, get -o json), against the test environment's kubeconfig.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildAllImages } from '@pms/images';
import { eventually, realNodeNamespaceAnnotations } from '@pms/testenv';
import { importIntoContainerd } from '@pms/testenv/oci';
import { repoRoot } from './paths.ts';

export interface Kubectl {
  (args: string[], input?: string): string;
  json<T = KubeObject>(args: string[]): T;
  /** `kubectl get` of one object, or undefined when it does not exist. */
  find<T = KubeObject>(kind: string, name: string, namespace?: string): T | undefined;
  kubeconfig: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface KubeObject {
  metadata: { name: string; namespace?: string; uid?: string };
  spec?: Record<string, unknown>;
  status?: {
    conditions?: Condition[];
    phase?: string;
    [key: string]: unknown;
  };
}

export function kubectlFor(kubeconfig: string): Kubectl {
  const run = (args: string[], input?: string): string => {
    const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      input,
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    if (r.status !== 0) {
      throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
    }
    return r.stdout;
  };
  const kubectl = run as Kubectl;
  kubectl.json = <T>(args: string[]) => JSON.parse(run([...args, '-o', 'json'])) as T;
  kubectl.find = <T>(kind: string, name: string, namespace?: string) => {
    const ns = namespace ? ['-n', namespace] : [];
    const out = run(['get', kind, name, ...ns, '--ignore-not-found', '-o', 'json']);
    return out.trim() ? (JSON.parse(out) as T) : undefined;
  };
  kubectl.kubeconfig = kubeconfig;
  return kubectl;
}

/**
 * `kubectl port-forward` to a Service port, as an administrator reaches a tenant's data store
 * (NetworkPolicies admit no one else: the forward enters the pod's network namespace through
 * the kubelet). Resolves with the local port once kubectl listens.
 */
export function portForward(
  kubectl: Kubectl,
  namespace: string,
  target: string,
  remotePort: number,
): Promise<{ port: number; close: () => void }> {
  const child = spawn(
    'kubectl',
    ['--kubeconfig', kubectl.kubeconfig, 'port-forward', '-n', namespace, target, `:${remotePort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl port-forward ${target}: no local port after 30 s: ${out}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), close: () => child.kill() });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward ${target} exited (${code}): ${out}`));
    });
  });
}

export const condition = (o: KubeObject | undefined, type: string): Condition | undefined =>
  o?.status?.conditions?.find((c) => c.type === type);

/** Waits for a condition to be True; the failure names the object's last conditions. */
export async function waitForCondition(
  kubectl: Kubectl,
  kind: string,
  name: string,
  namespace: string,
  type: string,
  timeoutMs: number,
): Promise<KubeObject> {
  let last: KubeObject | undefined;
  try {
    return await eventually(
      `${kind} ${namespace}/${name} ${type}=True`,
      async () => {
        last = kubectl.find(kind, name, namespace);
        return condition(last, type)?.status === 'True' ? last : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    const seen = JSON.stringify(last?.status ?? {}, null, 1);
    throw new Error(`${(err as Error).message}\nlast status: ${seen}`, { cause: err });
  }
}

/** Pods of a namespace with their phase and container states: what a failure report needs. */
export function podReport(kubectl: Kubectl, namespace: string): string {
  const pods = kubectl.json<{
    items: Array<
      KubeObject & {
        spec: { nodeName?: string };
        status: {
          phase?: string;
          containerStatuses?: Array<{
            name: string;
            ready: boolean;
            restartCount: number;
            state: Record<string, { reason?: string; message?: string }>;
          }>;
        };
      }
    >;
  }>(['get', 'pods', '-n', namespace]);
  return pods.items
    .map((p) => {
      const cs = (p.status.containerStatuses ?? [])
        .map((c) => {
          const [state, detail] = Object.entries(c.state)[0] ?? ['unknown', {}];
          const why = detail.reason ? ` ${detail.reason}` : '';
          return `${c.name}:${state}${why} ready=${c.ready} restarts=${c.restartCount}`;
        })
        .join(', ');
      return `${p.metadata.name} on ${p.spec.nodeName ?? '-'} ${p.status.phase ?? '?'} [${cs}]`;
    })
    .join('\n');
}

/** Server-side applies objects (a v1 List) with the tests' field manager. */
export function applyJson(kubectl: Kubectl, objects: unknown[]): void {
  kubectl(
    ['apply', '--server-side', '--field-manager=pms-fullstack-test', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  );
}

/**
 * A namespace whose pods run on the real node (the kwok nodes are for the simulated tests). An
 * earlier test may still be deleting a namespace of the same name (pms-system is shared): the
 * annotations would land on the old object and be gone with it, so wait for it first.
 */
export async function realNodeNamespace(
  kubectl: Kubectl,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await eventually(
    `namespace ${name} not terminating`,
    async () => {
      const ns = kubectl.find<KubeObject & { metadata: { deletionTimestamp?: string } }>(
        'namespace',
        name,
      );
      return !ns?.metadata.deletionTimestamp;
    },
    180_000,
  );
  applyJson(kubectl, [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels, annotations: realNodeNamespaceAnnotations },
    },
  ]);
}

/** Labels of a tenant namespace: Pod Security `restricted`, enforced (docs/security.md). */
export const restrictedNamespaceLabels = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};

/** One key of a Secret, decoded. */
export function secretValue(kubectl: Kubectl, namespace: string, name: string, key: string) {
  const s = kubectl.json<{ data: Record<string, string> }>([
    'get',
    'secret',
    name,
    '-n',
    namespace,
  ]);
  const v = s.data[key];
  if (!v) throw new Error(`secret ${name} has no key ${key}`);
  return Buffer.from(v, 'base64').toString('utf8');
}

/** What the images are built from (Dockerfile COPY sources), as git pathspecs. */
const IMAGE_INPUTS = [
  'Dockerfile.operator',
  '.dockerignore',
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'operator',
  'app',
  'images',
  'crds',
  ':(glob)tools/*/package.json',
  'tests/fullstack/package.json',
];

const git = (args: string[]): string => {
  const r = spawnSync('git', ['-C', repoRoot, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};

/**
 * A hash of the images' inputs: the blobs git knows for them plus the content of every file
 * changed or added in the work tree. Equal hashes mean a rebuild would produce the same images.
 */
export function imageInputsFingerprint(): string {
  const h = createHash('sha256');
  h.update(git(['ls-files', '-s', '--', ...IMAGE_INPUTS]));
  const status = git(['status', '--porcelain', '-uall', '--', ...IMAGE_INPUTS]);
  h.update(status);
  for (const line of status.split('\n').filter(Boolean)) {
    const path = join(repoRoot, line.slice(3).split(' -> ').pop() ?? '');
    if (existsSync(path)) h.update(readFileSync(path));
  }
  return h.digest('hex');
}

/** Image references in the node's containerd (the kubelet's `k8s.io` namespace). */
function containerdImages(containerdAddress: string): Set<string> {
  const r = spawnSync('ctr', ['-a', containerdAddress, '-n', 'k8s.io', 'images', 'ls', '-q'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ctr images ls failed: ${r.stderr}`);
  return new Set(r.stdout.split('\n').filter(Boolean));
}

/**
 * Every image the install and the instances use, built from this repository's Dockerfiles and
 * imported into the node's containerd. Each test file runs in its own process and calls this:
 * a stamp next to the node's containerd socket (so it goes with the node on `down`) records the
 * inputs' fingerprint and the tags imported; when both still hold, the second file of a run
 * neither rebuilds (buildah's warm check alone takes 30-90 s here) nor re-imports.
 */
export function buildAndImportImages(containerdAddress: string, version: string): void {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const stamp = join(dirname(containerdAddress), `pms-images-${version}.json`);
  const fingerprint = imageInputsFingerprint();
  if (existsSync(stamp)) {
    const prev = JSON.parse(readFileSync(stamp, 'utf8')) as { fingerprint: string; tags: string[] };
    const present = containerdImages(containerdAddress);
    if (prev.fingerprint === fingerprint && prev.tags.every((t) => present.has(t))) {
      log(`images ${version}: already built and imported from these sources (${stamp})`);
      return;
    }
  }
  const images = buildAllImages({ version, log });
  for (const img of images) importIntoContainerd(containerdAddress, img.archive);
  writeFileSync(stamp, JSON.stringify({ fingerprint, tags: images.map((i) => i.tag) }));
}

/** A second name for an image already in the node's containerd (`ctr images tag`). */
export function tagInContainerd(containerdAddress: string, from: string, to: string): void {
  const r = spawnSync(
    'ctr',
    ['-a', containerdAddress, '-n', 'k8s.io', 'images', 'tag', '--force', from, to],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ctr images tag ${from} ${to} failed: ${r.stderr}`);
}

/** `kubectl apply -k config/default`: the operator as the install docs give it. */
export function installOperator(kubectl: Kubectl): void {
  // A previous test's uninstall may still be finishing (a CRD being deleted takes the apply and
  // then disappears): apply until the CRDs are served, as `kubectl wait` reports.
  const crds = ['pmsinstances', 'pmsbackups', 'pmsrestores'].map((p) => `crd/${p}.pms.io`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    for (const crd of crds) {
      const o = kubectl.find<KubeObject & { metadata: { deletionTimestamp?: string } }>(
        'crd',
        crd.slice('crd/'.length),
      );
      if (o?.metadata.deletionTimestamp) kubectl(['wait', '--for=delete', '--timeout=120s', crd]);
    }
    kubectl(['apply', '--server-side', '-k', join(repoRoot, 'config', 'default')]);
    try {
      kubectl(['wait', '--for=condition=Established', '--timeout=30s', ...crds]);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

/**
 * Deletes the test's namespaces, then the operator install. Reports instead of throwing, so
 * one leftover does not hide the test's own outcome.
 */
export function removeTestObjects(kubectl: Kubectl, namespaces: string[]): void {
  const attempt = (args: string[]) => {
    try {
      kubectl(args);
    } catch (err) {
      process.stderr.write(`clean-up: ${String(err)}\n`);
    }
  };
  for (const ns of namespaces)
    attempt(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true']);
  attempt([
    'delete',
    '-k',
    join(repoRoot, 'config', 'default'),
    '--ignore-not-found',
    '--wait=true',
  ]);
}

// The operator as the install deploys it: the bundle of operator/scripts/bundle.ts (what
// Dockerfile.operator builds), `node operator.mjs` in a directory without node_modules (as in the
// image) as the image's USER (via setpriv when the tests run as root, so nothing
// in the code tree is writable for it), with the environment config/manager/deployment.yaml
// sets, and the identity the install gives it: a token of the pms-system/pms-operator
// ServiceAccount bound by the install's own RBAC (applied for real). Against the real API
// server it takes the leader Lease, answers its probes on the paths and port the Deployment
// probes, serves /metrics, and stops cleanly on SIGTERM within the grace period. It watches
// only a fresh namespace of its own and uses a Lease name of its own.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { eventually } from '@pms/testenv';
import { parseDockerfile } from '../src/dockerfile.ts';
import { kustomizeObjects } from '../src/kustomize.ts';
import { readObjects } from '../src/objects.ts';
import { repoRoot } from '../src/paths.ts';
import { exitCode } from './exit-code.ts';
import { asImageUser } from './image-user.ts';
import { apply, ensureNamespace, kubeClients } from './kube.ts';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
}

const deployment = readObjects(join(repoRoot, 'config/manager/deployment.yaml'))[0] as unknown as {
  metadata: { namespace: string };
  spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } };
};
const podSpec = deployment.spec.template.spec;
const deploymentNamespace = deployment.metadata.namespace;
const container = podSpec.containers[0] as Container;
const namespace = `pkg-operator-${process.pid}`;
const operatorStages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile.operator'), 'utf8'));
const imageUser = (operatorStages.at(-1)?.instructions ?? [])
  .filter((i) => i.keyword === 'USER')
  .at(-1)
  ?.args.trim();
const imageCmd = JSON.parse(
  (operatorStages.at(-1)?.instructions ?? []).filter((i) => i.keyword === 'CMD').at(-1)?.args ??
    '[]',
) as string[];
const installKinds = new Set([
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
]);

/** A kubeconfig holding everything inline: the operator's ServiceAccount token and the CA. */
async function serviceAccountKubeconfig(dir: string): Promise<string> {
  const c = kubeClients();
  const install = kustomizeObjects(join(repoRoot, 'config', 'default'));
  const sa = install.find((o) => o.kind === 'ServiceAccount');
  assert.ok(sa?.metadata.namespace, 'the install has a namespaced ServiceAccount');
  await ensureNamespace(c, sa.metadata.namespace);
  for (const o of install.filter((x) => installKinds.has(x.kind))) await apply(c, o, false);
  const token = await c.core.createNamespacedServiceAccountToken({
    name: sa.metadata.name,
    namespace: sa.metadata.namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = c.kc.getCurrentCluster();
  assert.ok(cluster);
  const ca =
    cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : '');
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'c', cluster: { server: cluster.server, 'certificate-authority-data': ca } },
      ],
      users: [{ name: 'operator', user: { token: token.status?.token } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'operator' } }],
      'current-context': 'c',
    }),
  );
  chmodSync(file, 0o644);
  return file;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return { status: r.status, body: await r.text() };
}

describe('the operator as the image runs it', () => {
  // Outside the repository: the image has no node_modules, so neither has this directory (a
  // dependency the bundle missed fails here, not in a cluster).
  const outDir = mkdtempSync(join(tmpdir(), 'pms-operator-bundle-'));
  chmodSync(outDir, 0o755); // readable for the image's USER
  const scratch = mkdtempSync(join(tmpdir(), 'pms-operator-image-'));
  chmodSync(scratch, 0o755);
  let child: ChildProcess | undefined;
  let output = '';
  const ports: Record<string, number> = {};

  before(async (t) => {
    await ensureNamespace(kubeClients(), namespace);
    const bundle = spawnSync(
      process.execPath,
      [join(repoRoot, 'operator/scripts/bundle.ts'), '--outfile', join(outDir, 'operator.mjs')],
      { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(bundle.status, 0, `bundling failed:\n${bundle.stdout}${bundle.stderr}`);
    assert.deepEqual(imageCmd, ['node', 'operator.mjs'], "the image's CMD runs the bundle");

    // The Deployment's environment; the downward API values and the ports are filled in here
    // (the ports are free ones, mapped by name, so the test never collides with a real 8080).
    for (const p of container.ports) ports[p.name] = await freePort();
    const env: Record<string, string> = {};
    for (const e of container.env) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name')
        env[e.name] = 'pms-operator-test';
      // The Deployment's own namespace (where the leader-election Role lets it hold a Lease).
      else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace')
        env[e.name] = deploymentNamespace;
      else assert.fail(`unsupported env source for ${e.name}`);
    }
    for (const [name, port] of Object.entries(ports)) {
      const key = `${name.toUpperCase()}_PORT`;
      assert.ok(key in env, `the Deployment sets ${key} for its ${name} port`);
      env[key] = String(port);
    }
    env.WATCH_NAMESPACE = namespace;
    env.LEASE_NAME = `pms-operator-test-${process.pid}`;

    const kubeconfig = await serviceAccountKubeconfig(scratch);
    const run = asImageUser(
      imageUser ?? '',
      [process.execPath, join(outDir, 'operator.mjs')],
      [join(outDir, 'operator.mjs'), kubeconfig],
    );
    if (run.fallback) t.diagnostic(`runs as the current user: ${run.fallback}`);
    child = spawn(run.argv[0] ?? '', run.argv.slice(1), {
      cwd: outDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        KUBECONFIG: kubeconfig,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  });

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(outDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    await kubeClients()
      .core.deleteNamespace({ name: namespace })
      .catch(() => undefined);
  });

  it('answers the liveness and readiness probes where the Deployment probes them', async () => {
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      const port = ports[probe.httpGet.port];
      assert.ok(port, `probe port ${probe.httpGet.port} is a named container port`);
      await eventually(`${probe.httpGet.path} 200 (operator output:\n${output})`, async () =>
        (await get(`http://127.0.0.1:${port}${probe.httpGet.path}`)).status === 200
          ? true
          : undefined,
      );
    }
  });

  it('serves its metrics on the metrics port', async () => {
    const body = await eventually('pms_operator_leader 1', async () => {
      const r = await get(`http://127.0.0.1:${ports.metrics}/metrics`);
      return /^pms_operator_leader 1$/m.test(r.body) ? r.body : undefined;
    });
    assert.match(body, /^# TYPE pms_operator_reconcile_total counter$/m);
    assert.doesNotMatch(output, /forbidden|EACCES|EROFS/i, 'no permission was refused');
  });

  it('stops cleanly on SIGTERM within the grace period', async () => {
    assert.ok(child);
    const grace = podSpec.terminationGracePeriodSeconds * 1000;
    const exited = exitCode(child, grace);
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, `exit after SIGTERM (output:\n${output.slice(-2000)})`);
  });
});

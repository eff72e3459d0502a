// `npm start`: run the operator against the current kubeconfig, or — when there is none —
// against a local cluster from testenv, with the CRDs installed. Stopping (Ctrl-C) stops the
// operator and, if this script started it, the local cluster.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

const root = join(import.meta.dirname, '..');
const testenvCli = join(root, 'tools', 'testenv', 'src', 'cli.ts');
const log = (m: string) => process.stderr.write(`start: ${m}\n`);

function currentKubeconfig(): string | undefined {
  if (process.env.KUBERNETES_SERVICE_HOST) return 'in-cluster';
  const candidates = process.env.KUBECONFIG
    ? process.env.KUBECONFIG.split(delimiter)
    : [join(homedir(), '.kube', 'config')];
  return candidates.find((f) => f && existsSync(f));
}

function testenv(...args: string[]): string {
  const r = spawnSync(process.execPath, [testenvCli, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`testenv ${args.join(' ')} failed (exit ${r.status})`);
  return r.stdout;
}

async function installCrds(kubeconfig: string): Promise<void> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const dir = join(root, 'crds');
  const names: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj = doc.toJS() as k8s.KubernetesObject | null;
      if (!obj) continue;
      await client.patch(
        obj,
        undefined,
        undefined,
        'pms-start',
        true,
        k8s.PatchStrategy.ServerSideApply,
      );
      log(`applied ${obj.kind} ${obj.metadata?.name}`);
      names.push(obj.metadata?.name ?? '');
    }
  }
  // Until a CRD is Established its resources answer 429/404; wait so the operator starts clean.
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const deadline = Date.now() + 30_000;
  for (const name of names) {
    for (;;) {
      const crd = await ext.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
        break;
      }
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function main(): Promise<number> {
  let kubeconfig = currentKubeconfig();
  let startedCluster = false;
  if (kubeconfig) {
    log(`using ${kubeconfig}`);
  } else {
    log('no kubeconfig found: starting a local cluster (npm run env -- up --only kube)');
    testenv('up', '--only', 'kube');
    startedCluster = true;
    const env = testenv('print-env');
    kubeconfig = /TESTENV_KUBECONFIG='([^']+)'/.exec(env)?.[1];
    if (!kubeconfig) throw new Error('testenv did not report a kubeconfig');
    await installCrds(kubeconfig);
    log(`local cluster kubeconfig: ${kubeconfig}`);
  }
  const env = { ...process.env };
  if (kubeconfig !== 'in-cluster') env.KUBECONFIG = kubeconfig;
  const child = spawn(process.execPath, [join(root, 'operator', 'src', 'main.ts')], {
    stdio: 'inherit',
    env,
  });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  if (startedCluster) testenv('down');
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);

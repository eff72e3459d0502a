// `npm start`: run the operator against the current kubeconfig, or — when there is none —
// against a local cluster from testenv (control plane, the real node when available, storage),
// with the CRDs installed exactly as written (raw server-side apply).
//
// The operator is supervised: when it exits (a crash, kill -9) it is restarted with exponential
// back-off (1 s doubling to 30 s; reset after a minute of uptime). Ctrl-C stops the operator
// only: the local cluster and every instance in it keep running until `npm run env -- down`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { installCrdDir } from '@pms/testenv';
import { imagesDir, importIntoContainerd } from '@pms/testenv/oci';
import { serviceNames } from '../tools/testenv/src/services/types.ts';
import { nextSteps, restartDelay } from './start-lib.ts';

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

/** `npm run env -- <args>`; returns its stdout (export lines), its log goes to our stderr. */
function testenv(...args: string[]): string {
  const r = spawnSync(process.execPath, [testenvCli, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`testenv ${args.join(' ')} failed (exit ${r.status})`);
  return r.stdout;
}

function exported(lines: string, name: string): string | undefined {
  return new RegExp(`^export ${name}='([^']*)'`, 'm').exec(lines)?.[1];
}

/** The local cluster: the real node when testenv has it, and storage so volumes bind. */
function localServices(): string[] {
  const wanted = ['kube', 'node', 'storage'];
  return wanted.filter((s) => (serviceNames as readonly string[]).includes(s));
}

/**
 * The product images built here (`npm run images -- build`) into the real node's containerd: no
 * registry is reachable, so the instance's pods can only run images imported this way.
 */
function importProductImages(containerd: string): void {
  if (!existsSync(imagesDir)) return;
  const archives = readdirSync(imagesDir).filter((f) => /^ghcr\.io_pms_pms-.*\.tar$/.test(f));
  for (const a of archives) importIntoContainerd(containerd, join(imagesDir, a));
  log(
    archives.length > 0
      ? `imported into the node: ${archives.map((a) => a.replace(/\.tar$/, '')).join(', ')}`
      : 'no product images built yet (npm run images -- build): instance pods will not start',
  );
}

function sample(): { namespace: string; instance: string; host: string } {
  const s = parse(readFileSync(join(root, 'samples', '01-minimal.yaml'), 'utf8')) as {
    metadata: { name: string; namespace?: string };
    spec: { host: string };
  };
  return {
    namespace: s.metadata.namespace ?? 'demo',
    instance: s.metadata.name,
    host: s.spec.host,
  };
}

async function main(): Promise<void> {
  let kubeconfig = currentKubeconfig();
  let ingressIp: string | undefined;
  const localCluster = !kubeconfig;
  if (kubeconfig) {
    log(`using ${kubeconfig}`);
  } else {
    const services = localServices().join(',');
    // `up` reuses an environment that is already running with these services (a second
    // `npm start` after Ctrl-C finds the cluster and its instances as they were).
    log(`no kubeconfig found: starting the local cluster (npm run env -- up --only ${services})`);
    const env = testenv('up', '--only', services);
    kubeconfig = exported(env, 'TESTENV_KUBECONFIG');
    ingressIp = exported(env, 'TESTENV_INGRESS_IP');
    if (!kubeconfig) throw new Error('testenv did not report a kubeconfig');
    const containerd = exported(env, 'TESTENV_CONTAINERD_ADDRESS');
    if (containerd) importProductImages(containerd);
    const crds = await installCrdDir(kubeconfig, join(root, 'crds'), 'pms-start');
    log(`installed ${crds.map((c) => c.metadata.name).join(', ')}`);
  }

  const env = { ...process.env };
  if (kubeconfig !== 'in-cluster') env.KUBECONFIG = kubeconfig;
  let child: ChildProcess | undefined;
  let stopping = false;
  let delay: number | undefined;
  let printed = false;

  const startOperator = () => {
    const startedAt = Date.now();
    const c = spawn(process.execPath, [join(root, 'operator', 'src', 'main.ts')], {
      stdio: 'inherit',
      env,
    });
    child = c;
    log(`operator started (pid ${c.pid})`);
    if (!printed) {
      printed = true;
      process.stdout.write(
        nextSteps({
          kubeconfig: kubeconfig ?? '',
          testenvDir: process.env.PMS_TESTENV_DIR,
          localCluster,
          ingressIp,
          ...sample(),
        }),
      );
    }
    c.on('exit', (code, signal) => {
      if (stopping) return;
      delay = restartDelay(delay, Date.now() - startedAt);
      log(
        `operator exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s` +
          (localCluster ? ' (the cluster keeps running)' : ''),
      );
      setTimeout(() => {
        if (!stopping) startOperator();
      }, delay);
    });
  };
  startOperator();

  const stop = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const c = child;
    const done = () => {
      if (localCluster) {
        const dir = process.env.PMS_TESTENV_DIR;
        log(
          'operator stopped. The local cluster is still running (KUBECONFIG=' +
            `${kubeconfig}); stop it with: ${dir ? `PMS_TESTENV_DIR=${dir} ` : ''}npm run env -- down`,
        );
      }
      process.exit(0);
    };
    if (!c || c.exitCode !== null || c.signalCode !== null) return done();
    c.once('exit', done);
    c.kill(sig);
  };
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

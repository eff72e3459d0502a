// `npm start`: run the operator against the current kubeconfig, or — when there is none —
// against a local cluster from testenv (control plane, the real node when available, storage),
// with the CRDs installed exactly as written (raw server-side apply). On the local cluster's real
// node, which reaches no registry, it also builds every image of @pms/images, imports them into
// the node, and runs FerretDB as the database of samples/00-local.yaml (no MongoDB server image
// can be had offline), so the sample it prints becomes Ready there.
//
// The operator is supervised: when it exits (a crash, kill -9) it is restarted with exponential
// back-off (1 s doubling to 30 s; reset after a minute of uptime). Ctrl-C stops the operator
// only: the local cluster and every instance in it keep running until `npm run env -- down`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildAllImages, ferretdbObjects, ferretdbUri } from '@pms/images';
import { Applier, eventually, installCrdDir } from '@pms/testenv';
import { importIntoContainerd } from '@pms/testenv/oci';
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

/** The sample the printed steps apply, and the one its comments compare itself with. */
const localSample = '00-local.yaml';
const connectedSample = '01-minimal.yaml';
/** Where the local cluster's database runs (the URI in samples/00-local.yaml names it). */
const localDbNamespace = 'pms-local-db';

interface Sample {
  file: string;
  namespace: string;
  instance: string;
  host: string;
  version: string;
}

function sample(file: string): Sample {
  const docs = parseAllDocuments(readFileSync(join(root, 'samples', file), 'utf8')).map(
    (d) => d.toJS() as { kind?: string; metadata: { name: string; namespace?: string } },
  );
  const pms = docs.find((d) => d.kind === 'PmsInstance') as
    | { metadata: { name: string; namespace?: string }; spec: { host: string; version: string } }
    | undefined;
  if (!pms) throw new Error(`samples/${file} holds no PmsInstance`);
  return {
    file,
    namespace: pms.metadata.namespace ?? 'demo',
    instance: pms.metadata.name,
    host: pms.spec.host,
    version: pms.spec.version,
  };
}

/**
 * Every image of the install and of the local sample, built here (buildah's layer cache: a
 * warm build takes seconds) and imported into the real node's containerd: no registry is
 * reachable, so pods can only run images imported this way.
 */
function buildAndImportImages(containerd: string, version: string): void {
  const started = performance.now();
  log(`building the images (version ${version}; cached layers make a rebuild quick)`);
  const images = buildAllImages({ version, log: (m) => log(`  ${m}`) });
  const built = performance.now();
  for (const img of images) importIntoContainerd(containerd, img.archive);
  const s = (a: number, b: number) => ((b - a) / 1000).toFixed(1);
  log(
    `imported into the node: ${images.map((i) => i.tag).join(', ')} ` +
      `(build ${s(started, built)} s, import ${s(built, performance.now())} s)`,
  );
}

/**
 * FerretDB, the Mongo-wire database of samples/00-local.yaml (no MongoDB server image can be had
 * offline), with its data on a claim of the local StorageClass so it survives pod restarts.
 */
async function deployLocalDatabase(kubeconfig: string, version: string): Promise<void> {
  const applier = await Applier.fromKubeconfig(kubeconfig);
  const opts = { fieldManager: 'pms-start' };
  await applier.apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: localDbNamespace } },
    opts,
  );
  const objects = ferretdbObjects({
    namespace: localDbNamespace,
    image: `localhost/pms/ferretdb:${version}`,
    storageClassName: 'standard',
  });
  for (const o of objects) await applier.apply(o, opts);
  const path = `/apis/apps/v1/namespaces/${localDbNamespace}/deployments/ferretdb`;
  await eventually(
    'the FerretDB Deployment Available',
    async () => {
      const r = await applier.transport('GET', path);
      if (r.status !== 200) return false;
      const d = JSON.parse(r.body) as {
        status?: { conditions?: Array<{ type: string; status: string }> };
      };
      return d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
    },
    180_000,
  );
  log(`database ready: FerretDB at ${ferretdbUri(localDbNamespace)}`);
}

async function main(): Promise<void> {
  let kubeconfig = currentKubeconfig();
  let ingressIp: string | undefined;
  const localCluster = !kubeconfig;
  let steps = sample(connectedSample);
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
    const crds = await installCrdDir(kubeconfig, join(root, 'crds'), 'pms-start');
    log(`installed ${crds.map((c) => c.metadata.name).join(', ')}`);
    const containerd = exported(env, 'TESTENV_CONTAINERD_ADDRESS');
    if (containerd) {
      // A real node without a registry: everything the local sample runs is made here.
      steps = sample(localSample);
      buildAndImportImages(containerd, steps.version);
      await deployLocalDatabase(kubeconfig, steps.version);
    }
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
          ...steps,
          connectedSample: steps.file === connectedSample ? undefined : connectedSample,
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

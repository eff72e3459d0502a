// `npm start -w operator`: configuration from the environment, a kubeconfig (in-cluster,
// $KUBECONFIG, ~/.kube/config, or the repository's test environment), the operator, and a
// graceful shutdown on SIGTERM/SIGINT.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startOperator } from './operator.ts';
import type { Logger } from './controller/types.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function testEnvKubeconfig(): string | undefined {
  const dir = process.env.PMS_TESTENV_DIR ?? join(repoRoot, '.testenv');
  const envFile = join(dir, 'env');
  if (!existsSync(envFile)) return undefined;
  const line = readFileSync(envFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('TESTENV_KUBECONFIG='));
  const path = line?.slice('TESTENV_KUBECONFIG='.length).trim();
  return path && existsSync(path) ? path : undefined;
}

/** Which kubeconfig to use, in order: in-cluster, $KUBECONFIG, ~/.kube/config, testenv. */
export function loadKubeConfig(log: Logger): KubeConfig {
  const kc = new KubeConfig();
  if (process.env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    log.info('using in-cluster configuration');
    return kc;
  }
  if (process.env.KUBECONFIG) {
    kc.loadFromDefault();
    log.info('using $KUBECONFIG', { kubeconfig: process.env.KUBECONFIG });
    return kc;
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) {
    kc.loadFromFile(home);
    log.info('using ~/.kube/config', { context: kc.getCurrentContext() });
    return kc;
  }
  const testenv = testEnvKubeconfig();
  if (testenv) {
    kc.loadFromFile(testenv);
    log.info('using the test environment cluster', { kubeconfig: testenv });
    return kc;
  }
  throw new Error(
    'no Kubernetes cluster configured: not in a cluster, $KUBECONFIG unset and no ~/.kube/config. ' +
      'Start the local one with `npm run env -- up --only kube`, then run with ' +
      'KUBECONFIG=<its TESTENV_KUBECONFIG> (or just `npm start -w operator` again: ' +
      'the test environment is picked up automatically).',
  );
}

/** In a pod, the service account's namespace. */
function podNamespace(): string | undefined {
  const f = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
  return existsSync(f) ? readFileSync(f, 'utf8').trim() || undefined : undefined;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL, { component: 'pms-operator' });
  process.on('unhandledRejection', (reason) => {
    // Informer callbacks in client-node can reject outside any await; the watchdog restarts
    // the affected watch, so log loudly instead of dying.
    log.error('unhandled rejection', { error: reason instanceof Error ? reason : String(reason) });
  });
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig(log);
  } catch (err) {
    log.error((err as Error).message);
    process.exit(1);
  }
  const operator = await startOperator({
    kubeConfig: kc,
    namespace: config.WATCH_NAMESPACE || undefined,
    leaderElection: config.LEADER_ELECTION,
    leaseName: config.LEASE_NAME,
    // Outside a cluster (npm start) the Lease goes to the watched namespace or `default`.
    leaseNamespace:
      config.LEASE_NAMESPACE ??
      config.LEADER_ELECTION_NAMESPACE ??
      config.POD_NAMESPACE ??
      podNamespace() ??
      (config.WATCH_NAMESPACE || 'default'),
    identity: config.POD_NAME,
    metricsPort: config.METRICS_PORT,
    healthPort: config.HEALTH_PORT,
    resyncMs: config.RESYNC_PERIOD,
    maxConcurrentReconciles: config.MAX_CONCURRENT_RECONCILES,
    log,
  });
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('shutting down', { signal });
    // A second signal or a stuck reconcile must not keep the pod in Terminating forever.
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    operator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { error: err instanceof Error ? err : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();

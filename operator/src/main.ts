// `npm start -w operator` and the image's `node operator.mjs` (this module bundled):
// configuration from the environment, a kubeconfig (kubeconfig.ts: in-cluster, $KUBECONFIG,
// ~/.kube/config, or the repository's test environment), the operator, and a graceful
// shutdown on SIGTERM/SIGINT.
import { setFlagsFromString } from 'node:v8';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, loadConfig } from './config.ts';
import { loadKubeConfig, podNamespace } from './kubeconfig.ts';
import { createLogger } from './log.ts';
import { startOperator } from './operator.ts';

// V8's memory saver mode collects garbage sooner instead of growing the heap: the operator is
// idle most of the time and its memory limit is what tenants pay for (operator/README.md,
// "Memory": 15-20 % less peak RSS at 300 instances). NODE_OPTIONS refuses V8 flags, so it is
// set here, before anything is allocated in earnest.
setFlagsFromString('--memory-saver-mode');

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
    apiQps: config.KUBE_API_QPS,
    apiBurst: config.KUBE_API_BURST,
    log,
    // As controller-runtime does: a process that lost its lease exits (its writes are already
    // fenced) and comes back as a fresh candidate with empty caches and no half-done work.
    onLostLeadership: () => {
      log.error('leader election lost; exiting');
      process.exit(1);
    },
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

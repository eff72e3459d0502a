// Which cluster the operator talks to, in order: in-cluster (a pod: KUBERNETES_SERVICE_HOST and
// the mounted service-account token), $KUBECONFIG, ~/.kube/config, then the repository's test
// environment (npm start). In a pod, client-node's loadFromCluster reads the CA, the namespace
// and the token through its `tokenFile` provider, which re-reads the projected token as the
// kubelet rotates it (bound tokens expire after an hour).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from './log.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the kubelet mounts the service account (client-node's SERVICEACCOUNT_* paths). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigSources {
  env?: NodeJS.ProcessEnv;
  /** Prefix of SERVICE_ACCOUNT_DIR (tests); '' in a pod. */
  serviceAccountRoot?: string;
  home?: string;
}

function testEnvKubeconfig(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.PMS_TESTENV_DIR ?? join(repoRoot, '.testenv');
  const envFile = join(dir, 'env');
  if (!existsSync(envFile)) return undefined;
  const line = readFileSync(envFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('TESTENV_KUBECONFIG='));
  const path = line?.slice('TESTENV_KUBECONFIG='.length).trim();
  return path && existsSync(path) ? path : undefined;
}

export function loadKubeConfig(log: Logger, sources: KubeConfigSources = {}): KubeConfig {
  const env = sources.env ?? process.env;
  const root = sources.serviceAccountRoot ?? '';
  const kc = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST) {
    const sa = `${root}${SERVICE_ACCOUNT_DIR}`;
    for (const f of ['token', 'ca.crt']) {
      if (!existsSync(join(sa, f)))
        throw new Error(
          `running in a pod (KUBERNETES_SERVICE_HOST is set) but ${join(sa, f)} is missing: ` +
            'the operator needs its service-account token (automountServiceAccountToken: true)',
        );
    }
    kc.loadFromCluster(root);
    log.info('using in-cluster configuration', { server: kc.getCurrentCluster()?.server });
    return kc;
  }
  if (env.KUBECONFIG) {
    kc.loadFromDefault();
    log.info('using $KUBECONFIG', { kubeconfig: env.KUBECONFIG });
    return kc;
  }
  const home = join(sources.home ?? homedir(), '.kube', 'config');
  if (existsSync(home)) {
    kc.loadFromFile(home);
    log.info('using ~/.kube/config', { context: kc.getCurrentContext() });
    return kc;
  }
  const testenv = testEnvKubeconfig(env);
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
export function podNamespace(root = ''): string | undefined {
  const f = `${root}${SERVICE_ACCOUNT_DIR}/namespace`;
  return existsSync(f) ? readFileSync(f, 'utf8').trim() || undefined : undefined;
}

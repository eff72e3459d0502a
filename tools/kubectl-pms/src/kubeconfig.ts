// Which cluster, user and namespace: the rules kubectl follows. --kubeconfig wins; otherwise
// every existing file in KUBECONFIG (path-list, first file's values win, missing files are
// ignored as kubectl ignores them); otherwise ~/.kube/config; otherwise in-cluster service
// account. --context picks a context; the namespace is -n, else the context's, else `default`.
// Parsing and credentials (exec plugins, tokens, client certificates) are client-node's.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { UserError } from './errors.ts';

export interface Connection {
  kc: KubeConfig;
  /** Where the configuration came from, for error messages ("kubeconfig /x/y", "in-cluster"). */
  source: string;
  context: string;
  server: string;
  namespace: string;
  /** Whether -n was given (status then does not widen the search). */
  namespaceExplicit: boolean;
}

export interface ConnectionFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

function load(flags: ConnectionFlags, env: NodeJS.ProcessEnv): { kc: KubeConfig; source: string } {
  const kc = new KubeConfig();
  const loadFile = (file: string, into: KubeConfig) => {
    try {
      into.loadFromFile(file);
    } catch (e) {
      throw new UserError(`cannot read kubeconfig ${file}: ${(e as Error).message}`);
    }
  };
  if (flags.kubeconfig) {
    if (!existsSync(flags.kubeconfig)) {
      throw new UserError(`kubeconfig ${flags.kubeconfig} (from --kubeconfig) does not exist`);
    }
    loadFile(flags.kubeconfig, kc);
    return { kc, source: `kubeconfig ${flags.kubeconfig} (--kubeconfig)` };
  }
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f !== '' && existsSync(f));
    const [first, ...rest] = files;
    if (!first) {
      throw new UserError(
        `no kubeconfig: none of the files in KUBECONFIG=${env.KUBECONFIG} exists; fix KUBECONFIG or pass --kubeconfig`,
      );
    }
    loadFile(first, kc);
    for (const f of rest) {
      const other = new KubeConfig();
      loadFile(f, other);
      kc.mergeConfig(other, true);
    }
    return { kc, source: `kubeconfig ${files.join(delimiter)} (KUBECONFIG)` };
  }
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) {
    loadFile(home, kc);
    return { kc, source: `kubeconfig ${home}` };
  }
  if (
    env.KUBERNETES_SERVICE_HOST &&
    existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')
  ) {
    kc.loadFromCluster();
    return { kc, source: 'in-cluster service account' };
  }
  throw new UserError(
    `no kubeconfig: KUBECONFIG is unset and ${home} does not exist; set KUBECONFIG or pass --kubeconfig FILE`,
  );
}

export function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const { kc, source } = load(flags, env);
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(
        `context "${flags.context}" is not in ${source}; contexts there: ${known.join(', ') || '(none)'}`,
      );
    }
    kc.setCurrentContext(flags.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) {
    throw new UserError(
      `${source} has no current context; pick one with --context NAME or \`kubectl config use-context NAME\``,
    );
  }
  const ctxNamespace = kc.getContextObject(context)?.namespace;
  return {
    kc,
    source,
    context,
    server: cluster.server,
    namespace: flags.namespace ?? ctxNamespace ?? 'default',
    namespaceExplicit: flags.namespace !== undefined,
  };
}

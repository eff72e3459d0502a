// Test fixtures made with the real kubectl (not with the plugin's own client), and a runner for
// the plugin as a separate process, as kubectl would start it.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(pluginRoot, '..', '..');
export const mainTs = join(pluginRoot, 'src', 'main.ts');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(kubeconfig: string, args: string[], input?: string): string {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    input,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function applyYaml(kubeconfig: string, objects: unknown[]): void {
  kubectl(
    kubeconfig,
    ['apply', '--server-side', '--field-manager=kubectl-pms-test', '-f', '-'],
    objects.map((o) => JSON.stringify(o)).join('\n'),
  );
}

/** Writes an object's status subresource, as the operator would. */
export function patchStatus(
  kubeconfig: string,
  resource: string,
  namespace: string,
  name: string,
  status: Record<string, unknown>,
): void {
  kubectl(kubeconfig, [
    'patch',
    resource,
    name,
    '-n',
    namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
}

/** Runs the plugin (src/main.ts, or `bin` when given) in a child process. */
export function runPlugin(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { bin?: string; cwd?: string } = {},
): Promise<Result> {
  const [cmd, argv] = opts.bin ? [opts.bin, args] : [process.execPath, [mainTs, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PMS_PLUGIN_POLL_MS: '100', ...env },
      cwd: opts.cwd ?? pluginRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Runs the plugin on a pseudo-terminal (util-linux `script`), typing `answer` once `prompt`
 * shows up, as a person at a terminal would.
 */
export function runOnTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  prompt: string,
  answer: string,
): Promise<Result> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, mainTs, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'dumb', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let typed = false;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (!typed && out.includes(prompt)) {
        typed = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.end();
      resolve({ code: code ?? -1, stdout: out, stderr: '' });
    });
  });
}

export const suffix = () => randomBytes(3).toString('hex');
export const secretValue = () => randomBytes(18).toString('base64url');
export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function instanceLabels(name: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'pms',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'pms-operator',
    'app.kubernetes.io/part-of': 'pms',
  };
}

/** A workload shaped like the operator's (operator/src/render/workloads.ts), pods on kwok nodes. */
export function workload(
  kind: 'Deployment' | 'StatefulSet',
  namespace: string,
  instance: string,
  component: string,
  replicas: number,
  schedulable = true,
): Record<string, unknown> {
  const labels = instanceLabels(instance, component);
  const selector = {
    'app.kubernetes.io/name': 'pms',
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/component': component,
  };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: `${instance}-${component}`, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      ...(kind === 'StatefulSet' ? { serviceName: `${instance}-${component}` } : {}),
      template: {
        metadata: { labels },
        spec: {
          // An unschedulable pod stays Pending: a component that is not ready.
          ...(schedulable ? {} : { nodeSelector: { 'pms.io/no-such-node': 'true' } }),
          containers: [{ name: component, image: 'localhost/pms/none:0' }],
        },
      },
    },
  };
}

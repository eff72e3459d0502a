// The cluster as the full-stack test sees it: through `kubectl`, exactly as a platform team
// would (apply -k, create job --from, get -o json), against the test environment's kubeconfig.
import { spawnSync } from 'node:child_process';
import { eventually } from '@pms/testenv';

export interface Kubectl {
  (args: string[], input?: string): string;
  json<T = KubeObject>(args: string[]): T;
  /** `kubectl get` of one object, or undefined when it does not exist. */
  find<T = KubeObject>(kind: string, name: string, namespace?: string): T | undefined;
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
  return kubectl;
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

import { boolFlag, parseDuration, stringFlag } from '../args.ts';
import type { Command } from '../command.ts';
import { UserError, usageError } from '../errors.ts';
import { getInstance } from '../instances.ts';
import type { KObject } from '../kube.ts';
import {
  COMPONENTS,
  instanceLabels,
  R,
  resourcePath,
  selector,
  type Component,
} from '../resources.ts';

/** The component's own container (the operator names it after the component), else the first. */
export function containerOf(pod: KObject, component: string): string {
  const containers = ((pod.spec?.containers as { name: string }[] | undefined) ?? []).map(
    (c) => c.name,
  );
  return containers.includes(component) ? component : (containers[0] ?? component);
}

/**
 * Prefixes whole lines with `[pod/x] ` when several pods share the output, so lines of two pods
 * never interleave mid-line; flush() writes a last line that had no newline.
 */
export function linePrefixer(
  prefix: string,
  write: (s: string) => void,
): { push(chunk: string): void; flush(): void } {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) write(`${prefix}${l}\n`);
    },
    flush() {
      if (partial !== '') write(`${prefix}${partial}\n`);
      partial = '';
    },
  };
}

export const logs: Command = {
  name: 'logs',
  summary: "Print (or follow) the logs of one component's pods",
  usage: `kubectl pms logs NAME COMPONENT [-f] [--tail N] [--since 10m] [-n NAMESPACE]
  COMPONENT: ${COMPONENTS.join('|')}`,
  help: `Prints the logs of every pod of the component (labels app.kubernetes.io/instance=NAME,
app.kubernetes.io/component=COMPONENT), each line prefixed with its pod when there are several.
-f follows them until interrupted.

Examples:
  kubectl pms logs acme backend --tail 100
  kubectl pms logs acme worker -f`,
  flags: [
    { name: 'follow', short: 'f', help: 'keep streaming new lines' },
    { name: 'tail', value: true, help: 'only the last N lines of each pod' },
    { name: 'since', value: true, help: 'only lines newer than a duration (30s, 10m, 2h)' },
    { name: 'previous', short: 'p', help: "the previous (crashed) container's logs" },
  ],
  async run(ctx) {
    const [name, component, ...extra] = ctx.args.positionals;
    if (!name || !component) throw usageError('logs needs NAME and COMPONENT', 'logs');
    if (extra.length > 0) throw usageError('logs takes NAME and COMPONENT only', 'logs');
    if (!(COMPONENTS as readonly string[]).includes(component)) {
      throw usageError(`unknown component "${component}"; one of ${COMPONENTS.join(', ')}`, 'logs');
    }
    const tail = stringFlag(ctx.args, 'tail');
    if (tail !== undefined && !/^-?\d+$/.test(tail))
      throw usageError('--tail takes a number of lines', 'logs');
    const since = stringFlag(ctx.args, 'since');
    const kube = ctx.kube();
    await getInstance(kube, name);
    const pods = await kube.list(
      R.pod,
      kube.namespace,
      selector({ ...instanceLabels(name), 'app.kubernetes.io/component': component as Component }),
    );
    if (pods.length === 0) {
      throw new UserError(
        `no ${component} pods for PmsInstance ${kube.namespace}/${name} (is the component enabled and scheduled? see \`kubectl pms status ${name}\`)`,
      );
    }
    const follow = boolFlag(ctx.args, 'follow');
    const many = pods.length > 1;
    await Promise.all(
      pods.map(async (pod) => {
        const path = resourcePath(R.pod, kube.namespace, pod.metadata.name, 'log', {
          container: containerOf(pod, component),
          follow: follow ? 'true' : undefined,
          tailLines: tail !== undefined && Number(tail) >= 0 ? tail : undefined,
          sinceSeconds:
            since !== undefined
              ? String(Math.ceil(parseDuration(since, 'logs') / 1000))
              : undefined,
          previous: boolFlag(ctx.args, 'previous') ? 'true' : undefined,
        });
        const write = (s: string) => void ctx.stdout.write(s);
        const sink = many
          ? linePrefixer(`[pod/${pod.metadata.name}] `, write)
          : { push: write, flush: () => undefined };
        await kube.stream(path, (c) => sink.push(c.toString('utf8')));
        sink.flush();
      }),
    );
    return 0;
  },
};

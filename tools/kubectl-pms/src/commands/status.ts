import { boolFlag, stringFlag } from '../args.ts';
import type { Command } from '../command.ts';
import { usageError } from '../errors.ts';
import { getInstance, listInstances } from '../instances.ts';
import { instanceLabels, R, selector } from '../resources.ts';
import { buildStatus, summarize } from '../status-model.ts';
import { renderStatus, renderSummaryTable } from '../status-render.ts';

export const status: Command = {
  name: 'status',
  summary: 'Show an instance: phase, conditions, URL, version, components, backups',
  usage: 'kubectl pms status [NAME] [-n NAMESPACE | -A] [-o json] [--color auto|always|never]',
  help: `With NAME: the instance's phase, Ready condition, URL and version; every condition; each
Deployment and StatefulSet with its ready and desired replicas; the backup schedule, the last
backup's time and result, recent PmsBackups and the latest PmsRestore.
Without NAME: a table of the instances in the namespace (all namespaces with -A).

Colour is used when stdout is a terminal (and NO_COLOR is unset); -o json prints the same
information as JSON for scripts.

Examples:
  kubectl pms status acme -n tenant-a
  kubectl pms status -A
  kubectl pms status acme -o json | jq .children`,
  flags: [
    { name: 'output', short: 'o', value: true, help: 'json: print the status as JSON' },
    { name: 'all-namespaces', short: 'A', help: 'list the instances of every namespace' },
    {
      name: 'color',
      value: true,
      help: 'auto (default: when stdout is a terminal), always or never',
    },
  ],
  async run(ctx) {
    const output = stringFlag(ctx.args, 'output');
    if (output !== undefined && output !== 'json') {
      throw usageError(`-o must be json (got "${output}")`, 'status');
    }
    const [name, ...extra] = ctx.args.positionals;
    if (extra.length > 0) throw usageError(`status takes at most one NAME`, 'status');
    const all = boolFlag(ctx.args, 'all-namespaces');
    if (name && all) throw usageError('NAME and -A do not go together', 'status');
    const kube = ctx.kube();
    const now = ctx.now();

    if (!name) {
      const items = (await listInstances(kube, all ? undefined : kube.namespace)).map(summarize);
      if (output === 'json') {
        ctx.stdout.write(JSON.stringify({ items }, null, 2) + '\n');
      } else if (items.length === 0) {
        ctx.stderr.write(
          all
            ? 'No PmsInstances found.\n'
            : `No PmsInstances found in namespace ${kube.namespace}.\n`,
        );
      } else {
        ctx.stdout.write(renderSummaryTable(items, ctx.paint, now, all));
      }
      return 0;
    }

    const instance = await getInstance(kube, name);
    const sel = selector(instanceLabels(name));
    const ns = kube.namespace;
    const [deployments, statefulSets, cronJobs, backups, restores] = await Promise.all([
      kube.list(R.deployment, ns, sel),
      kube.list(R.statefulSet, ns, sel),
      kube.list(R.cronJob, ns, sel),
      kube.list(R.backup, ns),
      kube.list(R.restore, ns),
    ]);
    const model = buildStatus(
      instance,
      [...deployments, ...statefulSets],
      cronJobs,
      backups,
      restores,
    );
    ctx.stdout.write(
      output === 'json'
        ? JSON.stringify(model, null, 2) + '\n'
        : renderStatus(model, ctx.paint, now),
    );
    return 0;
  },
};

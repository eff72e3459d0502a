import { boolFlag, parseDuration, stringFlag } from '../args.ts';
import { note, type Command, type Ctx } from '../command.ts';
import { UserError, usageError } from '../errors.ts';
import { getInstance } from '../instances.ts';
import type { KObject } from '../kube.ts';
import { R } from '../resources.ts';
import { phaseOf, waitForFinish } from '../wait.ts';

/** "Hibernating (backend 1/0, mongodb 1/0)": phase plus the components still running. */
export function describeInstance(o: KObject): string {
  const comps = (o.status?.components ?? {}) as Record<
    string,
    { ready?: number; desired?: number }
  >;
  const running = Object.entries(comps)
    .filter(([, c]) => (c.ready ?? 0) > 0 || (c.desired ?? 0) > 0)
    .map(([n, c]) => `${n} ${c.ready ?? 0}/${c.desired ?? 0}`);
  return running.length > 0 ? `${phaseOf(o)} (${running.join(', ')})` : phaseOf(o);
}

/** The operator has seen this generation and reports `phase`. */
const reached = (phase: string, generation: number) => (o: KObject) => {
  const seen = typeof o.status?.observedGeneration === 'number' ? o.status.observedGeneration : 0;
  return seen >= generation && (phaseOf(o) === phase || phaseOf(o) === 'Failed');
};

async function setHibernate(ctx: Ctx, command: string, on: boolean): Promise<number> {
  const [name, ...extra] = ctx.args.positionals;
  if (!name) throw usageError(`${command} needs the instance NAME`, command);
  if (extra.length > 0) throw usageError(`${command} takes one NAME`, command);
  const timeoutMs = parseDuration(stringFlag(ctx.args, 'timeout') ?? '15m', command);
  const kube = ctx.kube();
  const before = await getInstance(kube, name);
  const target = on ? 'Hibernated' : 'Ready';
  if ((before.spec?.hibernate === true) === on) {
    note(
      ctx,
      `PmsInstance ${kube.namespace}/${name} is already ${on ? 'hibernating' : 'awake'} (phase ${phaseOf(before)})`,
    );
  }
  const patched = await kube.mergePatch(R.instance, name, { spec: { hibernate: on } });
  ctx.stdout.write(`pmsinstance.pms.io/${name} ${on ? 'hibernating' : 'waking up'}\n`);
  if (!boolFlag(ctx.args, 'wait')) {
    note(ctx, `follow it with: kubectl pms status ${name} -n ${kube.namespace} (or --wait)`);
    return 0;
  }
  const generation =
    typeof patched.metadata.generation === 'number' ? patched.metadata.generation : 0;
  const done = await waitForFinish(ctx, R.instance, name, {
    timeoutMs,
    describe: describeInstance,
    finished: reached(target, generation),
  });
  if (phaseOf(done) === 'Failed') {
    throw new UserError(
      `PmsInstance ${name} is Failed; see \`kubectl pms status ${name} -n ${kube.namespace}\``,
    );
  }
  return 0;
}

const flags = [
  { name: 'wait', short: 'w', help: 'wait until the operator reports the new phase' },
  { name: 'timeout', value: true, help: 'how long --wait waits (default 15m)' },
];

export const hibernate: Command = {
  name: 'hibernate',
  summary: 'Scale an instance to zero, keeping its data (spec.hibernate=true)',
  usage: 'kubectl pms hibernate NAME [--wait [--timeout 15m]] [-n NAMESPACE]',
  help: `Sets spec.hibernate: every workload (app and data stores) goes to 0 replicas, the backup
CronJob is suspended, PersistentVolumeClaims and Secrets are kept. --wait returns once the
operator reports phase Hibernated. \`kubectl pms wake NAME\` brings it back.`,
  flags,
  run: (ctx) => setHibernate(ctx, 'hibernate', true),
};

export const wake: Command = {
  name: 'wake',
  summary: 'Bring a hibernated instance back (spec.hibernate=false)',
  usage: 'kubectl pms wake NAME [--wait [--timeout 15m]] [-n NAMESPACE]',
  help: `Clears spec.hibernate: the operator scales the instance back up with its data.
--wait returns once the operator reports phase Ready.`,
  flags,
  run: (ctx) => setHibernate(ctx, 'wake', false),
};

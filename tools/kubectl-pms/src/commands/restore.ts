import { boolFlag, parseDuration, stringFlag } from '../args.ts';
import { note, type Command, type Ctx } from '../command.ts';
import { confirmByName } from '../confirm.ts';
import { UserError, usageError } from '../errors.ts';
import { getInstance } from '../instances.ts';
import { ApiError, type KObject } from '../kube.ts';
import { apiVersion, R } from '../resources.ts';
import { phaseOf, waitForFinish } from '../wait.ts';
import { backupName } from './backup.ts';

/** An archive key (`backups/acme/20261125T030000000Z.archive.gz`) rather than a PmsBackup name. */
export function isObjectKey(from: string): boolean {
  return from.includes('/');
}

export function describeRestore(o: KObject): string {
  const s = o.status ?? {};
  const phase = phaseOf(o);
  if (phase === 'Failed') return `Failed: ${String(s.error ?? 'no reason given')}`;
  if (phase === 'Succeeded') return `Succeeded: restored ${String(s.objectKey ?? '')}`.trimEnd();
  const steps: Record<string, string> = {
    EnteringMaintenance: 'entering maintenance mode',
    ScalingDown: 'scaling the app down',
    Restoring: `restoring ${String(s.objectKey ?? '')}`.trimEnd(),
    ScalingUp: 'bringing the app back',
  };
  return steps[phase] ? `${phase}: ${steps[phase]}` : phase;
}

/** The PmsBackup to restore from must exist and have succeeded; say which ones would do. */
async function checkBackup(ctx: Ctx, instance: string, from: string): Promise<void> {
  const kube = ctx.kube();
  const b = await kube.find(R.backup, from);
  if (!b) {
    const all = await kube.list(R.backup, kube.namespace);
    const usable = all
      .filter((x) => phaseOf(x) === 'Succeeded')
      .map(
        (x) =>
          `${x.metadata.name} (${String((x.spec?.instanceRef as { name?: string })?.name ?? '?')})`,
      );
    throw new UserError(
      `PmsBackup "${from}" not found in namespace ${kube.namespace}; ` +
        (usable.length > 0
          ? `succeeded backups there: ${usable.join(', ')}`
          : `there are no succeeded backups there (make one: kubectl pms backup ${instance} --wait)`),
    );
  }
  if (phaseOf(b) !== 'Succeeded') {
    throw new UserError(
      `PmsBackup "${from}" is ${phaseOf(b)}; only a Succeeded backup can be restored (see kubectl pms status ${instance})`,
    );
  }
}

export const restore: Command = {
  name: 'restore',
  summary: "Replace an instance's data with a backup (creates a PmsRestore)",
  usage: 'kubectl pms restore NAME --from BACKUP [--wait [--timeout 60m]] [--yes] [-n NAMESPACE]',
  help: `Creates a PmsRestore that replaces ALL data of the instance (database and attachments)
with the backup: the operator puts the instance in maintenance mode, scales the app down,
restores, and brings it back.

--from takes a PmsBackup name (it must have Succeeded) or an archive key as listed in a
PmsBackup's status (e.g. backups/acme/20261125T030000000Z.archive.gz).

On a terminal it asks you to type the instance name; --yes skips the question. Without a
terminal (scripts, CI) --yes is required.
--wait follows the restore step by step and exits non-zero if it fails.

Examples:
  kubectl pms restore acme --from acme-20261130t030000 --wait
  kubectl pms restore acme --from backups/acme/20261125T030000000Z.archive.gz --yes`,
  flags: [
    { name: 'from', value: true, help: 'PmsBackup name or archive key to restore (required)' },
    {
      name: 'wait',
      short: 'w',
      help: 'follow the restore until it finishes; non-zero exit if it fails',
    },
    { name: 'yes', short: 'y', help: 'do not ask for confirmation (required without a terminal)' },
    { name: 'timeout', value: true, help: 'how long --wait waits (default 60m)' },
    {
      name: 'restore-name',
      value: true,
      help: 'name of the PmsRestore (default NAME-restore-<UTC time>)',
    },
  ],
  async run(ctx) {
    const [name, ...extra] = ctx.args.positionals;
    if (!name) throw usageError('restore needs the instance NAME', 'restore');
    if (extra.length > 0) throw usageError('restore takes one NAME', 'restore');
    const from = stringFlag(ctx.args, 'from');
    if (!from)
      throw usageError(
        'restore needs --from BACKUP (a PmsBackup name or an archive key)',
        'restore',
      );
    const timeoutMs = parseDuration(stringFlag(ctx.args, 'timeout') ?? '60m', 'restore');
    const kube = ctx.kube();
    await getInstance(kube, name);
    if (!isObjectKey(from)) await checkBackup(ctx, name, from);

    if (!boolFlag(ctx.args, 'yes')) {
      note(
        ctx,
        ctx.paint.yellow(
          `This replaces ALL data of PmsInstance ${kube.namespace}/${name} (database and attachments) with ${from}.`,
        ) + '\nThe instance is in maintenance mode until the restore finishes.',
      );
      await confirmByName(
        ctx,
        `restore ${kube.namespace}/${name}`,
        name,
        `restore ${name} from ${from}`,
      );
    }

    const objName =
      stringFlag(ctx.args, 'restore-name') ??
      backupName(name, ctx.now()).replace(/(\d{8}t)/, 'restore-$1');
    const body: KObject = {
      apiVersion: apiVersion(R.restore),
      kind: R.restore.kind,
      metadata: {
        name: objName,
        labels: {
          'app.kubernetes.io/instance': name,
          'app.kubernetes.io/created-by': 'kubectl-pms',
        },
      },
      spec: {
        instanceRef: { name },
        source: isObjectKey(from) ? { objectKey: from } : { backupRef: { name: from } },
      },
    };
    try {
      await kube.create(R.restore, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        throw new UserError(
          `PmsRestore "${objName}" already exists in namespace ${kube.namespace}; choose another with --restore-name`,
        );
      }
      if (e instanceof ApiError && e.status === 422)
        throw new UserError(`the restore was refused: ${e.message}`);
      throw e;
    }
    ctx.stdout.write(`pmsrestore.pms.io/${objName} created\n`);
    if (!boolFlag(ctx.args, 'wait')) {
      note(ctx, `follow it with: kubectl pms status ${name} -n ${kube.namespace} (or --wait)`);
      return 0;
    }
    const done = await waitForFinish(ctx, R.restore, objName, {
      timeoutMs,
      describe: describeRestore,
    });
    if (phaseOf(done) === 'Failed') {
      throw new UserError(
        `restore ${objName} failed: ${String(done.status?.error ?? 'no reason given')}`,
      );
    }
    return 0;
  },
};

import { boolFlag, parseDuration, stringFlag } from '../args.ts';
import { note, type Command } from '../command.ts';
import { UserError, usageError } from '../errors.ts';
import { getInstance } from '../instances.ts';
import { ApiError, type KObject } from '../kube.ts';
import { apiVersion, R } from '../resources.ts';
import { phaseOf, waitForFinish } from '../wait.ts';

/** `acme-20261130t090512`: sortable, unique per second, a valid object name. */
export function backupName(instance: string, now: Date): string {
  return `${instance}-${now.toISOString().replace(/[-:]/g, '').slice(0, 15).toLowerCase()}`;
}

export function describeBackup(o: KObject): string {
  const s = o.status ?? {};
  const phase = phaseOf(o);
  if (phase === 'Succeeded') {
    const size = typeof s.size === 'number' ? ` (${s.size} bytes)` : '';
    return `Succeeded: ${String(s.objectKey ?? 'archive written')}${size}`;
  }
  if (phase === 'Failed') return `Failed: ${String(s.error ?? 'no reason given')}`;
  return typeof s.jobName === 'string' ? `${phase} (job ${s.jobName})` : phase;
}

export const backup: Command = {
  name: 'backup',
  summary: 'Back an instance up now (creates a PmsBackup)',
  usage: 'kubectl pms backup NAME [--wait [--timeout 30m]] [--backup-name NAME] [-n NAMESPACE]',
  help: `Creates a PmsBackup for the instance; the operator runs the backup Job (MongoDB and
attachments, to the instance's backup destination). Prints the PmsBackup's name.

--wait follows it until it finishes, showing each step on stderr, and exits non-zero if the
backup fails or --timeout (default 30m) passes.

Examples:
  kubectl pms backup acme --wait
  kubectl pms backup acme --backup-name acme-before-upgrade`,
  flags: [
    {
      name: 'wait',
      short: 'w',
      help: 'follow the backup until it finishes; non-zero exit if it fails',
    },
    { name: 'timeout', value: true, help: 'how long --wait waits (default 30m)' },
    { name: 'backup-name', value: true, help: 'name of the PmsBackup (default NAME-<UTC time>)' },
  ],
  async run(ctx) {
    const [name, ...extra] = ctx.args.positionals;
    if (!name) throw usageError('backup needs the instance NAME', 'backup');
    if (extra.length > 0) throw usageError('backup takes one NAME', 'backup');
    const timeoutMs = parseDuration(stringFlag(ctx.args, 'timeout') ?? '30m', 'backup');
    const kube = ctx.kube();
    await getInstance(kube, name);
    const objName = stringFlag(ctx.args, 'backup-name') ?? backupName(name, ctx.now());
    const body: KObject = {
      apiVersion: apiVersion(R.backup),
      kind: R.backup.kind,
      metadata: {
        name: objName,
        labels: {
          'app.kubernetes.io/instance': name,
          'app.kubernetes.io/created-by': 'kubectl-pms',
        },
      },
      spec: { instanceRef: { name } },
    };
    try {
      await kube.create(R.backup, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        throw new UserError(
          `PmsBackup "${objName}" already exists in namespace ${kube.namespace}; choose another with --backup-name`,
        );
      }
      throw e;
    }
    ctx.stdout.write(`pmsbackup.pms.io/${objName} created\n`);
    if (!boolFlag(ctx.args, 'wait')) {
      note(ctx, `follow it with: kubectl pms status ${name} -n ${kube.namespace} (or --wait)`);
      return 0;
    }
    const done = await waitForFinish(ctx, R.backup, objName, {
      timeoutMs,
      describe: describeBackup,
    });
    if (phaseOf(done) === 'Failed') {
      throw new UserError(
        `backup ${objName} failed: ${String(done.status?.error ?? 'no reason given')}`,
      );
    }
    return 0;
  },
};

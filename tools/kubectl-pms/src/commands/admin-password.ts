import type { Command } from '../command.ts';
import { UserError, usageError } from '../errors.ts';
import { getInstance } from '../instances.ts';
import { childNames, R } from '../resources.ts';

export const adminPassword: Command = {
  name: 'admin-password',
  summary: 'Print the generated admin password (only the password, for piping)',
  usage: 'kubectl pms admin-password NAME [-n NAMESPACE]',
  help: `Reads the password the operator generated for the instance's first admin from the Secret
<NAME>-admin. stdout gets the password and nothing else (a newline only when stdout is a
terminal), so it can be piped; the admin's e-mail goes to stderr when that is a terminal.

Examples:
  kubectl pms admin-password acme
  kubectl pms admin-password acme | xclip -selection clipboard`,
  flags: [],
  async run(ctx) {
    const [name, ...extra] = ctx.args.positionals;
    if (!name) throw usageError('admin-password needs the instance NAME', 'admin-password');
    if (extra.length > 0) throw usageError('admin-password takes one NAME', 'admin-password');
    const kube = ctx.kube();
    await getInstance(kube, name);
    const secretName = childNames.adminSecret(name);
    const secret = await kube.find(R.secret, secretName);
    if (!secret) {
      throw new UserError(
        `the admin Secret ${kube.namespace}/${secretName} does not exist yet: the operator creates it on its first ` +
          `reconcile of the instance (check \`kubectl pms status ${name}\` and that the operator is running)`,
      );
    }
    const data = (secret.data ?? {}) as Record<string, string>;
    if (typeof data.password !== 'string') {
      throw new UserError(`the Secret ${kube.namespace}/${secretName} has no "password" key`);
    }
    const password = Buffer.from(data.password, 'base64').toString('utf8');
    if (ctx.stderr.isTTY && typeof data.email === 'string') {
      ctx.stderr.write(`admin e-mail: ${Buffer.from(data.email, 'base64').toString('utf8')}\n`);
    }
    ctx.stdout.write(ctx.stdout.isTTY ? `${password}\n` : password);
    return 0;
  },
};

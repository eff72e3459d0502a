// The command table, help, and turning every failure into one line on stderr with an exit code.
import { globalFlags, parseArgs, stringFlag, type FlagSpec } from './args.ts';
import { decideColor } from './color.ts';
import { makeCtx, type Command, type Io } from './command.ts';
import { adminPassword } from './commands/admin-password.ts';
import { backup } from './commands/backup.ts';
import { hibernate, wake } from './commands/hibernate.ts';
import { logs } from './commands/logs.ts';
import { report } from './commands/report.ts';
import { restore } from './commands/restore.ts';
import { status } from './commands/status.ts';
import { UserError, usageError } from './errors.ts';
import { ApiError } from './kube.ts';
import { VERSION } from './version.ts';

export const commands: Command[] = [
  status,
  backup,
  restore,
  hibernate,
  wake,
  adminPassword,
  logs,
  report,
];

const GLOBAL_HELP = `Global flags (as kubectl):
      --kubeconfig FILE     kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)
      --context NAME        kubeconfig context to use (default: the current context)
  -n, --namespace NS        namespace (default: the context's namespace, else "default")
  -h, --help                help for a command`;

export function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `kubectl pms: day-to-day operations on PMS instances (PmsInstance, pms.io/v1alpha1).

Usage:
  kubectl pms COMMAND [NAME] [flags]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n')}
  ${'version'.padEnd(width)}   Print the plugin's version

${GLOBAL_HELP}

Run \`kubectl pms COMMAND --help\` for a command's flags and examples.
`;
}

export function commandHelp(c: Command): string {
  const own = c.flags
    .map((f) => {
      const flag = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ' VALUE' : ''}`;
      return `  ${flag.padEnd(26)}${f.help ?? ''}`;
    })
    .join('\n');
  return `${c.summary}.

Usage:
  ${c.usage}

${c.help}
${own ? `\nFlags:\n${own}\n` : ''}
${GLOBAL_HELP}
`;
}

/** The command word: the first argument that is neither a flag nor a global flag's value. */
function findCommand(argv: readonly string[]): { word?: string; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (!a.startsWith('-')) return { word: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    const takesValue = globalFlags.some(
      (f: FlagSpec) =>
        f.value && (a === `--${f.name}` || (f.short !== undefined && a === `-${f.short}`)),
    );
    if (takesValue) i++;
  }
  return { rest: [...argv] };
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const { word, rest } = findCommand(argv);
  if (word === undefined || word === 'help') {
    const topic = word === 'help' ? rest.find((a) => !a.startsWith('-')) : undefined;
    const c = commands.find((x) => x.name === topic);
    if (topic && !c) throw usageError(`unknown command "${topic}"`);
    if (word === undefined && !rest.some((a) => a === '-h' || a === '--help')) {
      io.stderr.write(topHelp());
      return 2;
    }
    io.stdout.write(c ? commandHelp(c) : topHelp());
    return 0;
  }
  if (word === 'version') {
    io.stdout.write(`kubectl-pms ${VERSION}\n`);
    return 0;
  }
  const c = commands.find((x) => x.name === word);
  if (!c) {
    throw usageError(
      `unknown command "${word}"; commands: ${commands.map((x) => x.name).join(', ')}`,
    );
  }
  const args = parseArgs(rest, [...globalFlags, ...c.flags], c.name);
  if (args.flags.has('help')) {
    io.stdout.write(commandHelp(c));
    return 0;
  }
  const paint = decideColor(stringFlag(args, 'color'), io.stdout.isTTY === true, io.env);
  return c.run(makeCtx(args, io, paint));
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof ApiError) {
      io.stderr.write(
        `error: the API server said: ${e.message}${e.status ? ` (${e.status})` : ''}\n`,
      );
      return 1;
    }
    const err = e as Error;
    io.stderr.write(
      `error: ${err.message} (unexpected: please report it with \`kubectl pms report\`)\n`,
    );
    if (io.env.PMS_PLUGIN_DEBUG) io.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
}

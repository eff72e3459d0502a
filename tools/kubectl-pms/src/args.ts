// A small argv parser with kubectl's conventions: `--flag value`, `--flag=value`, `-n value`,
// boolean flags, flags anywhere among the positionals, and `--` to end the flags. Pure.
import { usageError } from './errors.ts';

export interface FlagSpec {
  name: string;
  short?: string;
  /** A flag that takes a value (`--output json`); otherwise boolean. */
  value?: boolean;
  /** One line for --help. */
  help?: string;
}

export interface Parsed {
  flags: Map<string, string | true>;
  positionals: string[];
}

/** Flags every command takes (kubectl's connection flags and help). */
export const globalFlags: FlagSpec[] = [
  { name: 'kubeconfig', value: true },
  { name: 'context', value: true },
  { name: 'namespace', short: 'n', value: true },
  { name: 'help', short: 'h' },
];

export function parseArgs(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  command?: string,
): Parsed {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const byName = (n: string) => specs.find((s) => s.name === n);
  const byShort = (n: string) => specs.find((s) => s.short === n);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
      spec = byName(name);
      if (!spec) throw usageError(`unknown flag --${name}`, command);
    } else if (arg.startsWith('-') && arg.length > 1) {
      // `-nfoo` and `-n=foo` as kubectl (pflag) accepts them.
      const short = arg.slice(1, 2);
      const rest = arg.slice(2);
      spec = byShort(short);
      if (!spec) throw usageError(`unknown flag -${short}`, command);
      if (rest !== '') inline = rest.startsWith('=') ? rest.slice(1) : rest;
    } else {
      positionals.push(arg);
      continue;
    }
    if (spec.value) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') {
        throw usageError(`flag --${spec.name} needs a value`, command);
      }
      flags.set(spec.name, value);
    } else {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        throw usageError(`flag --${spec.name} takes no value`, command);
      }
      if (inline !== 'false') flags.set(spec.name, true);
    }
  }
  return { flags, positionals };
}

export function stringFlag(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function boolFlag(p: Parsed, name: string): boolean {
  return p.flags.get(name) === true;
}

/** Go-style durations as kubectl takes them: `90s`, `5m`, `1h30m`; a bare number is seconds. */
export function parseDuration(text: string, command?: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * (unit[m[2] ?? 's'] ?? 1000);
    consumed += m[0].length;
  }
  if (consumed !== text.length || consumed === 0) {
    throw usageError(`invalid duration "${text}" (use e.g. 90s, 10m, 1h)`, command);
  }
  return total;
}

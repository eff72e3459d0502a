// Colour only where a person reads it: stdout is a terminal, NO_COLOR is unset, and --color is
// not `never` (CloudNativePG's `--color auto|always|never`). Pure apart from `decideColor`'s inputs.
import { usageError } from './errors.ts';

export interface Paint {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const sgr = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;

export const colors: Paint = {
  green: sgr('32'),
  red: sgr('31'),
  yellow: sgr('33'),
  bold: sgr('1'),
  dim: sgr('2'),
};

const identity = (s: string) => s;
export const plain: Paint = {
  green: identity,
  red: identity,
  yellow: identity,
  bold: identity,
  dim: identity,
};

export function decideColor(
  flag: string | undefined,
  isTTY: boolean,
  env: Record<string, string | undefined>,
): Paint {
  const mode = flag ?? 'auto';
  if (mode === 'always') return colors;
  if (mode === 'never') return plain;
  if (mode !== 'auto') throw usageError(`--color must be auto, always or never (got "${mode}")`);
  return isTTY && !env.NO_COLOR ? colors : plain;
}

/** Strips SGR sequences, for measuring column widths. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Left-aligned columns separated by three spaces, as `kubectl get` prints them. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell)),
        )
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

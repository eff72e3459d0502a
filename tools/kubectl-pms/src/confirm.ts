// Asking before a destructive action: only a person at a terminal can answer; a script must say
// --yes, so a pipeline never restores because something happened to be on its stdin.
import { createInterface } from 'node:readline/promises';
import type { Ctx } from './command.ts';
import { UserError } from './errors.ts';

export async function confirmByName(
  ctx: Ctx,
  what: string,
  expected: string,
  flagHint: string,
): Promise<void> {
  if (ctx.stdin.isTTY !== true) {
    throw new UserError(
      `refusing to ${what} without confirmation: stdin is not a terminal; add --yes to ${flagHint}`,
      2,
    );
  }
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: true });
  try {
    const answer = await rl.question(`Type the instance name (${expected}) to confirm: `);
    if (answer.trim() !== expected)
      throw new UserError(`cancelled: "${answer.trim()}" is not "${expected}"`);
  } finally {
    rl.close();
  }
}

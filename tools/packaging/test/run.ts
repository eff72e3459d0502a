// Runs a program to completion and returns what it printed (for the static checks).
import { spawnSync } from 'node:child_process';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) {
    throw new Error(
      `${cmd} could not run (${r.error.message}); install it with scripts/setup.sh ` +
        '(Debian packages docker-compose and nginx-light)',
    );
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

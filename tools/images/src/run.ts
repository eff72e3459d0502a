import { spawnSync } from 'node:child_process';
import { outputTail } from '@pms/testenv/oci';

/** Run a tool to completion; on failure, throw with the end of its output (where the cause is). */
export function run(cmd: string, args: string[], what: string, cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${what}: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(
      `${what} failed (${cmd} exit ${r.status}):\n${outputTail(`${r.stdout}\n${r.stderr}`)}`,
    );
  }
  return r.stdout;
}

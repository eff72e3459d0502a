// Applying the rendered rules: one `iptables-restore --noflush` per sync (atomic: the kernel
// sees the old or the new rule set, never half of one), the FORWARD jump kept first, and a
// clean-up for SIGTERM. Commands run in the caller's network namespace (the engine is started
// inside the node's); tests pass an `exec` that enters a scratch namespace.
import { spawnSync } from 'node:child_process';
import { chainsIn, ENTRY_CHAIN, renderCleanup } from './rules.ts';

export type Exec = (cmd: string, args: string[], input?: string) => { ok: boolean; out: string };

export const localExec: Exec = (cmd, args, input) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
};

const JUMP = ['-m', 'comment', '--comment', 'pms-netpol: NetworkPolicies', '-j', ENTRY_CHAIN];

function must(r: { ok: boolean; out: string }, what: string): string {
  if (!r.ok) throw new Error(`${what} failed: ${r.out}`);
  return r.out;
}

/** The filter table's chain names. */
export function filterChains(exec: Exec): string[] {
  return chainsIn(must(exec('iptables-save', ['-t', 'filter']), 'iptables-save'));
}

/** Replaces the engine's chains with `text` (renderRestore) in one transaction. */
export function restore(exec: Exec, text: string): void {
  must(exec('iptables-restore', ['-w', '5', '--noflush'], text), 'iptables-restore');
}

/** FORWARD's rules in order, as `iptables -S` prints them (without the policy line). */
function forwardRules(exec: Exec): string[] {
  return must(exec('iptables', ['-w', '5', '-S', 'FORWARD']), 'iptables -S FORWARD')
    .split('\n')
    .filter((l) => l.startsWith('-A FORWARD'));
}

const isJump = (rule: string) => rule.endsWith(`-j ${ENTRY_CHAIN}`);

/**
 * Makes our jump the first rule of FORWARD, exactly once. It must come before kube-proxy's
 * KUBE-FORWARD, which ACCEPTs every packet marked for masquerading (with masqueradeAll: all
 * Service traffic) and would let it skip the policies. Returns whether anything changed.
 */
export function ensureJump(exec: Exec): boolean {
  const rules = forwardRules(exec);
  if (rules[0] !== undefined && isJump(rules[0]) && rules.filter(isJump).length === 1) return false;
  must(exec('iptables', ['-w', '5', '-I', 'FORWARD', '1', ...JUMP]), 'inserting the FORWARD jump');
  // Other copies (an earlier position, a crashed run's), deleted from the bottom up by number.
  const after = forwardRules(exec);
  for (let i = after.length - 1; i >= 1; i--)
    if (isJump(after[i] as string))
      must(exec('iptables', ['-w', '5', '-D', 'FORWARD', String(i + 1)]), 'deleting a stale jump');
  return true;
}

/** Removes the FORWARD jump and every chain of ours. */
export function removeAll(exec: Exec): void {
  for (let i = 0; i < 10 && exec('iptables', ['-w', '5', '-D', 'FORWARD', ...JUMP]).ok; i++);
  restore(exec, renderCleanup(filterChains(exec)));
}

// Waiting for a PmsBackup or PmsRestore to finish (or an instance to reach a phase), with progress on stderr: on a terminal one
// line rewritten in place (phase, job, elapsed time); otherwise one line per phase change, so a
// CI log shows each step once.
import type { Ctx } from './command.ts';
import { UserError } from './errors.ts';
import type { KObject } from './kube.ts';
import type { Resource } from './resources.ts';

export interface WaitOptions {
  timeoutMs: number;
  /** How often to read the object; tests shorten it through PMS_PLUGIN_POLL_MS. */
  intervalMs?: number;
  /** One-line description of the object's state, e.g. "Running (job acme-backup-x)". */
  describe(o: KObject): string;
  /** When the wait is over; by default a Succeeded or Failed phase (PmsBackup, PmsRestore). */
  finished?(o: KObject): boolean;
}

const FINAL = new Set(['Succeeded', 'Failed']);
const finalPhase = (o: KObject) => FINAL.has(phaseOf(o));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function phaseOf(o: KObject): string {
  return typeof o.status?.phase === 'string' ? o.status.phase : 'Pending';
}

export async function waitForFinish(
  ctx: Ctx,
  res: Resource,
  name: string,
  o: WaitOptions,
): Promise<KObject> {
  const kube = ctx.kube();
  const interval = o.intervalMs ?? (Number(ctx.env.PMS_PLUGIN_POLL_MS) || 1000);
  const tty = ctx.stderr.isTTY === true;
  const started = Date.now();
  const label = `${res.kind.toLowerCase()}.pms.io/${name}`;
  let last = '';
  let frame = 0;
  const spinner = ['|', '/', '-', '\\'];
  for (;;) {
    const obj = await kube.get(res, name);
    const state = o.describe(obj);
    const elapsed = Math.round((Date.now() - started) / 1000);
    const done = (o.finished ?? finalPhase)(obj);
    if (tty) {
      const mark = done ? ' ' : (spinner[frame++ % spinner.length] ?? ' ');
      ctx.stderr.write(`\r\u001b[2K${mark} ${label}: ${state} (${elapsed}s)${done ? '\n' : ''}`);
    } else if (state !== last) {
      ctx.stderr.write(`${label}: ${state}\n`);
    }
    last = state;
    if (done) return obj;
    if (Date.now() - started >= o.timeoutMs) {
      if (tty) ctx.stderr.write('\n');
      throw new UserError(
        `${label} is still ${phaseOf(obj)} after ${Math.round(o.timeoutMs / 1000)}s; ` +
          `follow it with \`kubectl get ${res.plural} ${name} -n ${kube.namespace} -w\` or raise --timeout`,
      );
    }
    await sleep(interval);
  }
}

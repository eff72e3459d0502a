// `npm run test:all` (what `npm test` runs inside the test environment): every workspace's
// tests, in two lanes. The Kubernetes lane (test environment, operator, images, packaging,
// kubectl-pms, full stack) streams its output; the data lane (frontend, backend, backup) runs
// beside it and prints each workspace's output in one piece when that workspace ends, so the
// two never interleave line by line. `--serial` runs everything in one lane, in package.json
// order. Exit code 1 when any workspace failed; every workspace runs either way.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summary, testPlan, type Outcome } from './test-all-lib.ts';

const root = join(import.meta.dirname, '..');

function workspacesWithTests(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return pkg.workspaces.filter((w) => {
    const file = join(root, w, 'package.json');
    if (!existsSync(file)) return false;
    const scripts = (JSON.parse(readFileSync(file, 'utf8')) as { scripts?: Record<string, string> })
      .scripts;
    return Boolean(scripts?.test);
  });
}

/** `npm test -w <workspace>`; streamed, or collected and printed in one piece at the end. */
function runWorkspace(workspace: string, stream: boolean): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['test', '-w', workspace], {
      cwd: root,
      stdio: stream ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.stderr?.on('data', (c: Buffer) => chunks.push(c));
    const finish = (code: number) => {
      const seconds = (performance.now() - started) / 1000;
      if (!stream) {
        process.stdout.write(
          `\n==> ${workspace} (ran beside the Kubernetes lane, ${Math.round(seconds)} s)\n` +
            `${Buffer.concat(chunks).toString('utf8')}\n==> end of ${workspace}\n`,
        );
      }
      resolve({ workspace, code, seconds });
    };
    child.on('error', (err) => {
      chunks.push(Buffer.from(`${String(err)}\n`));
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

async function lane(workspaces: string[], stream: boolean, after?: (w: string) => void) {
  const outcomes: Outcome[] = [];
  for (const w of workspaces) {
    outcomes.push(await runWorkspace(w, stream));
    after?.(w);
  }
  return outcomes;
}

async function main(): Promise<number> {
  const plan = testPlan(workspacesWithTests(), process.argv.includes('--serial'));
  let startData: () => void = () => undefined;
  const dataMayStart = new Promise<void>((resolve) => (startData = resolve));
  if (!plan.startAfter) startData();
  const dataLane = dataMayStart.then(() => lane(plan.data, false));
  const kubeLane = lane(plan.kube, true, (w) => {
    if (w === plan.startAfter) startData();
  });
  const kube = await kubeLane;
  startData();
  const data = await dataLane;
  const outcomes = [...kube, ...data];
  process.stdout.write(summary(outcomes));
  return outcomes.every((o) => o.code === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test-all: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

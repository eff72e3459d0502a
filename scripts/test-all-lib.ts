// What `npm run test:all` runs, and in which order: pure, so the plan is unit-tested
// (tools/testenv/test/test-all-plan.test.ts) apart from the processes it starts.

/**
 * Workspaces whose tests use only the data services (MongoDB wire, Redis, S3, Chromium), never
 * the Kubernetes API server or the real node. They spend their time in their own processes,
 * while the Kubernetes suites mostly wait for the cluster, so they run beside those.
 */
export const DATA_LANE = ['app/frontend', 'app/backend', 'app/backup'];
// The frontend first: its e2e tests run `next build` in app/frontend/.next, which the packaging
// suite (Kubernetes lane, later) copies; this way that build is over long before.

/**
 * The Kubernetes lane's workspace after which the data lane starts: the test environment's own
 * suite starts and stops environments of its own and times their start-up, so it runs alone.
 */
export const DATA_LANE_AFTER = 'tools/testenv';

export interface TestPlan {
  /** Run one after another, output streamed. */
  kube: string[];
  /** In DATA_LANE's order, one after another beside `kube` once `startAfter` finished. */
  data: string[];
  startAfter: string | undefined;
}

/**
 * Splits the workspaces (those with a `test` script, in package.json order) into the two lanes.
 * `serial` puts everything in one lane, in package.json order, as `npm run test --workspaces`.
 */
export function testPlan(workspaces: string[], serial: boolean): TestPlan {
  if (serial) return { kube: [...workspaces], data: [], startAfter: undefined };
  const data = DATA_LANE.filter((w) => workspaces.includes(w));
  const kube = workspaces.filter((w) => !DATA_LANE.includes(w));
  const startAfter = kube.includes(DATA_LANE_AFTER) ? DATA_LANE_AFTER : undefined;
  return { kube, data, startAfter };
}

export interface Outcome {
  workspace: string;
  code: number;
  seconds: number;
}

/** The summary printed at the end: one line per workspace, failures named. */
export function summary(outcomes: Outcome[]): string {
  const width = Math.max(...outcomes.map((o) => o.workspace.length), 9);
  const lines = outcomes.map(
    (o) =>
      `  ${o.workspace.padEnd(width)}  ${o.code === 0 ? 'passed' : `FAILED (exit ${o.code})`}  ${Math.round(o.seconds)} s`,
  );
  const failed = outcomes.filter((o) => o.code !== 0).map((o) => o.workspace);
  lines.push(failed.length ? `failed: ${failed.join(', ')}` : 'every workspace passed');
  return ['', '==> test results per workspace', ...lines, ''].join('\n');
}

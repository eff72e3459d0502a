// A spec.version change: migrate the database with the NEW image first, then roll the app.
//
// status.version is the version the whole instance last ran (set only when every component was
// ready on it). When spec.version differs from it, the instance reconcile renders the migration
// Job `<name>-migrate-<to>` (render/migration-job.ts) and keeps the backend, worker and frontend
// Deployments on the version they run now, until that Job succeeded. Steps, each a precondition
// on what the API server shows now (level-based, like backup-clone.ts):
//   none        no status.version yet (first install: the backend migrates at start-up,
//               MIGRATIONS_ON_START=auto) or status.version == spec.version
//   waiting     hibernating, or the in-cluster MongoDB not ready and no Job yet: app held
//   migrating   the Job exists and has not finished: app held         Upgrading=True
//   failed      the Job failed: app held (old pods keep serving)      Upgrading=False
//   rolling     the Job succeeded: the Deployments roll to the new version; status.version
//               follows when every component is ready on it           Upgrading=True
//   (done)      status.version == spec.version: Upgrading=False Upgraded; the Job stays (its
//               logs readable) until the next version change prunes it
// While the change is in flight (not hibernating) Ready is False (reason Upgrading, or
// MigrationFailed): the spec is not realised yet, although the old pods keep serving, so that
// whoever waits for Ready after changing spec.version waits for the whole upgrade.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { PmsInstance } from '../api/spec.ts';
import {
  CONDITION,
  findCondition,
  mergeConditions,
  type Condition,
  type ConditionInput,
  type PmsInstanceStatus,
} from '../api/status.ts';
import {
  MIGRATION_CONTAINER,
  MIGRATION_FROM_ANNOTATION,
  migrationJobName,
  renderMigrationJob,
} from '../render/migration-job.ts';
import { names } from '../render/names.ts';
import type { Child } from '../render/types.ts';
import { renderDeployments } from '../render/workloads.ts';
import { jobState, jobTerminationMessages, type JobObject } from './backup-shared.ts';
import type { ReconcileContext } from './types.ts';

const APP = new Set(['backend', 'frontend', 'worker']);
const VERSION_LABEL = 'app.kubernetes.io/version';

export const UPGRADE_REASON = {
  Hibernated: 'Hibernated',
  WaitingForMongoDB: 'WaitingForMongoDB',
  Migrating: 'Migrating',
  MigrationFailed: 'MigrationFailed',
  RollingOut: 'RollingOut',
  Upgraded: 'Upgraded',
  Cancelled: 'UpgradeCancelled',
} as const;

export type UpgradePlan =
  /** `job`: the finished migration Job of the version that runs, kept as a record. */
  | { state: 'none'; job?: Child }
  | {
      state: 'waiting' | 'migrating' | 'failed' | 'rolling';
      /** status.version: what the instance last ran completely. */
      from: string;
      /** spec.version. */
      to: string;
      /** The version the app Deployments stay on until the migration succeeded. */
      held: string;
      job?: Child;
      reason: string;
      message: string;
    };

type Live = Map<string, KubernetesObject>;

const component = (o: { metadata?: { labels?: Record<string, string> } }) =>
  o.metadata?.labels?.['app.kubernetes.io/component'] ?? '';

/** The version the live app Deployments carry (the backend's first), if any exists. */
function liveAppVersion(i: PmsInstance, live: Live): string | undefined {
  for (const c of ['backend', 'worker', 'frontend'] as const) {
    const d = live.get(`Deployment/${names.workload(i, c)}`);
    const v = d?.metadata?.labels?.[VERSION_LABEL];
    if (v) return v;
  }
  return undefined;
}

/** Pure: the step of a version change, from the instance, its last status and live children. */
export function planUpgrade(
  i: PmsInstance,
  status: PmsInstanceStatus | undefined,
  live: Live,
): UpgradePlan {
  const from = status?.version;
  const to = i.spec.version;
  if (!from || from === to) {
    // The Job that migrated to the running version stays until the next version change.
    const done = live.get(`Job/${migrationJobName(i, to)}`);
    const was = done?.metadata?.annotations?.[MIGRATION_FROM_ANNOTATION];
    return done && was ? { state: 'none', job: renderMigrationJob(i, was) } : { state: 'none' };
  }
  const base = { from, to, held: liveAppVersion(i, live) ?? from };
  if (i.spec.hibernate)
    return {
      ...base,
      state: 'waiting',
      reason: UPGRADE_REASON.Hibernated,
      message: `the upgrade from ${from} to ${to} runs when the instance wakes up (spec.hibernate is true)`,
    };
  const name = migrationJobName(i, to);
  const liveJob = live.get(`Job/${name}`) as JobObject | undefined;
  if (!liveJob && !i.spec.mongodb.external) {
    const sts = live.get(`StatefulSet/${names.workload(i, 'mongodb')}`) as
      (KubernetesObject & { status?: { readyReplicas?: number } }) | undefined;
    if ((sts?.status?.readyReplicas ?? 0) < 1)
      return {
        ...base,
        state: 'waiting',
        reason: UPGRADE_REASON.WaitingForMongoDB,
        message: `MongoDB is not ready; the database is migrated from ${from} to ${to} after`,
      };
  }
  const job = renderMigrationJob(i, from);
  const js = jobState(liveJob);
  if (js.state === 'succeeded')
    return {
      ...base,
      state: 'rolling',
      job,
      reason: UPGRADE_REASON.RollingOut,
      message: `the database is migrated (Job ${name}); rolling out ${to} (from ${from})`,
    };
  if (js.state === 'failed')
    return {
      ...base,
      state: 'failed',
      job,
      reason: UPGRADE_REASON.MigrationFailed,
      message: failedMessage(name, from, to, base.held, js.message),
    };
  return {
    ...base,
    state: 'migrating',
    job,
    reason: UPGRADE_REASON.Migrating,
    message: `migrating the database from ${from} to ${to} (Job ${name}); the app stays on ${base.held} until it succeeded`,
  };
}

function failedMessage(
  job: string,
  from: string,
  to: string,
  held: string,
  why: string | undefined,
  detail?: string,
): string {
  return (
    `Job ${job} failed migrating the database from ${from} to ${to}` +
    (why ? ` (${why})` : '') +
    (detail ? `: ${detail.trim().slice(-800)}` : '') +
    `. The Deployments stay on ${held} and keep serving; fix the cause and delete the Job to ` +
    `retry, or set spec.version back to ${from} (docs/upgrades.md)`
  );
}

/** The newest termination message of the migrate container among the Job's pods. */
export async function readMigrationFailure(
  ctx: Pick<ReconcileContext, 'client'>,
  namespace: string,
  jobName: string,
): Promise<string | undefined> {
  const messages = await jobTerminationMessages(ctx, namespace, jobName, MIGRATION_CONTAINER);
  return messages.at(-1);
}

/**
 * planUpgrade plus, for a failed Job, the migrator's own last words (its pod's termination
 * message). Read once: while the condition already carries them, no pod LIST is made.
 */
export async function planUpgradeStep(
  ctx: ReconcileContext,
  i: PmsInstance,
  status: PmsInstanceStatus | undefined,
  live: Live,
): Promise<UpgradePlan> {
  const plan = planUpgrade(i, status, live);
  if (plan.state !== 'failed' || !plan.job) return plan;
  const name = plan.job.metadata.name;
  const prev = findCondition(status?.conditions, CONDITION.Upgrading);
  if (prev?.reason === UPGRADE_REASON.MigrationFailed && prev.message.startsWith(`Job ${name} `))
    return { ...plan, message: prev.message };
  const detail = await readMigrationFailure(ctx, i.metadata.namespace, name);
  if (!detail) return plan;
  const js = jobState(live.get(`Job/${name}`) as JobObject | undefined);
  return {
    ...plan,
    message: failedMessage(name, plan.from, plan.to, plan.held, js.message, detail),
  };
}

/**
 * The children for a plan: while the migration has not succeeded, the backend, worker and
 * frontend Deployments rendered at the version they run now (everything else follows the
 * spec); the migration Job added while the change is in flight.
 */
export function withUpgrade(children: Child[], i: PmsInstance, plan: UpgradePlan): Child[] {
  let out = children;
  if (plan.state !== 'none' && plan.state !== 'rolling' && plan.held !== i.spec.version) {
    const old = new Map(
      renderDeployments({ ...i, spec: { ...i.spec, version: plan.held } }).map((d) => [
        d.metadata.name,
        d,
      ]),
    );
    out = children.map((c) =>
      c.kind === 'Deployment' && APP.has(component(c)) ? (old.get(c.metadata.name) ?? c) : c,
    );
  }
  return plan.job ? [...out, plan.job] : out;
}

/**
 * Status with the upgrade: condition Upgrading (from → to) once a version change happened, and
 * status.version held at `from` until the new version rolled out completely.
 */
export function withUpgradeStatus(
  i: PmsInstance,
  status: PmsInstanceStatus,
  previous: PmsInstanceStatus | undefined,
  plan: UpgradePlan,
  now: Date,
): PmsInstanceStatus {
  const g = i.metadata.generation;
  const prev = findCondition(previous?.conditions, CONDITION.Upgrading);
  const cond = (c: Omit<ConditionInput, 'observedGeneration' | 'type'>): Condition =>
    mergeConditions(
      previous?.conditions,
      [{ type: CONDITION.Upgrading, ...c, ...(g !== undefined ? { observedGeneration: g } : {}) }],
      now,
    )[0] as Condition;
  const withCondition = (c: Condition | undefined, s: PmsInstanceStatus = status) => ({
    ...s,
    conditions: [
      ...(s.conditions ?? []).filter((x) => x.type !== CONDITION.Upgrading),
      ...(c ? [c] : []),
    ],
  });
  if (plan.state === 'none') {
    if (!prev) return status;
    // Kept as it was after a finished upgrade; an upgrade abandoned by setting spec.version
    // back is no longer in flight.
    if (prev.reason === UPGRADE_REASON.Upgraded || prev.reason === UPGRADE_REASON.Cancelled)
      return withCondition(prev);
    return withCondition(
      cond({
        status: 'False',
        reason: UPGRADE_REASON.Cancelled,
        message:
          `spec.version is ${i.spec.version} again: no upgrade in flight (${prev.message})`.slice(
            0,
            1000,
          ),
      }),
    );
  }
  if (plan.state === 'rolling' && status.version === plan.to)
    return withCondition(
      cond({
        status: 'False',
        reason: UPGRADE_REASON.Upgraded,
        message: `upgraded from ${plan.from} to ${plan.to}: the database is migrated and every component runs ${plan.to}`,
      }),
    );
  const upgrading = cond({
    status: plan.state === 'failed' ? 'False' : 'True',
    reason: plan.reason,
    message: plan.message,
  });
  // Not rolled out yet: the version the instance runs is still `from`.
  const held = withCondition(upgrading, { ...status, version: plan.from });
  // The roll-out's own Ready (RollingUpdate) says enough; a hibernating instance's is its own.
  if (plan.state === 'rolling' || i.spec.hibernate) return held;
  const failed = plan.state === 'failed';
  const ready = mergeConditions(
    previous?.conditions,
    [
      {
        type: CONDITION.Ready,
        status: 'False',
        reason: failed ? UPGRADE_REASON.MigrationFailed : 'Upgrading',
        message: `${failed ? 'upgrade failed' : 'upgrading'}: ${plan.message}`,
        ...(g !== undefined ? { observedGeneration: g } : {}),
      },
    ],
    now,
  )[0] as Condition;
  return {
    ...held,
    phase: held.phase === 'Ready' ? 'Degraded' : held.phase,
    conditions: (held.conditions ?? []).map((c) => (c.type === CONDITION.Ready ? ready : c)),
  };
}

const EVENT: Record<string, { type: 'Normal' | 'Warning'; reason: string }> = {
  [UPGRADE_REASON.Migrating]: { type: 'Normal', reason: 'MigrationStarted' },
  [UPGRADE_REASON.MigrationFailed]: { type: 'Warning', reason: 'MigrationFailed' },
  [UPGRADE_REASON.RollingOut]: { type: 'Normal', reason: 'MigrationSucceeded' },
  [UPGRADE_REASON.Upgraded]: { type: 'Normal', reason: 'Upgraded' },
};

/** One Event per step the Upgrading condition moved to (after a status write). */
export async function recordUpgradeEvents(
  ctx: ReconcileContext,
  regarding: KubernetesObject,
  previous: PmsInstanceStatus | undefined,
  next: PmsInstanceStatus,
): Promise<void> {
  const a = findCondition(previous?.conditions, CONDITION.Upgrading);
  const b = findCondition(next.conditions, CONDITION.Upgrading);
  if (!b || (a && a.reason === b.reason && a.status === b.status)) return;
  const e = EVENT[b.reason];
  if (e) await ctx.events.record(regarding, e.type, e.reason, b.message);
}

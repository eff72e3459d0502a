// The PmsInstance reconcile: read → (paused?) → render → create missing Secrets → apply what
// drifted → prune what is no longer rendered → status from the children → /status only when it
// changed. Level-based and idempotent; the steady state makes read calls only.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  API_VERSION,
  InvalidSpecError,
  KIND,
  parseInstance,
  PLURAL,
  type PmsInstance,
} from '../api/spec.ts';
import { CONDITION, findCondition, type PmsInstanceStatus } from '../api/status.ts';
import { withBackupsSuspended } from '../render/backup-cronjob.ts';
import { renderChildren, renderSecrets } from '../render/index.ts';
import {
  computeStatus,
  invalidSpecStatus,
  pausedStatus,
  type Observed,
  type RefProblem,
} from '../status/compute.ts';
import { hibernatedStatus, withWakeCondition } from '../status/hibernate.ts';
import { routeGates } from '../status/route.ts';
import { onlyProgress } from '../status/progress.ts';
import { statusMergePatch } from '../status/patch.ts';
import {
  applyChildren,
  ensureSecrets,
  listChildren,
  prune,
  type ApplyOutcome,
} from './children.ts';
import { planClone, withClone, withCloneStatus } from './backup-clone.ts';
import { restoreInProgress } from './backup-lock.ts';
import { observeLastBackupCached } from './last-backup.ts';
import { checkExternalRefs, readExternalStores } from './external-stores.ts';
import { readObject } from './read.ts';
import { writeStatus } from './status-writer.ts';
import { WrittenStatuses } from './written-statuses.ts';
import { clusterCapabilities, makeDiscovery } from './discovery.ts';
import { DriftChecker } from './drift-check.ts';
import { HTTP_ROUTE, SERVICE_MONITOR } from './owned.ts';
import { planUpgradeStep, recordUpgradeEvents, withUpgrade, withUpgradeStatus } from './upgrade.ts';
import {
  PermanentError,
  type ObjectKey,
  type ReconcileContext,
  type ReconcileResult,
} from './types.ts';
import { describeError } from '../log.ts';

export interface RawInstance extends KubernetesObject {
  spec?: unknown;
  status?: PmsInstanceStatus;
}

/** The status fields this controller owns (restoredFrom included: withCloneStatus sets it). */
const OWNED_STATUS_FIELDS = [
  'observedGeneration',
  'phase',
  'url',
  'version',
  'conditions',
  'components',
  'lastBackup',
  'restoredFrom',
] as const;

/**
 * The owned status fields through the /status subresource, when they differ from what was
 * read. Without a resourceVersion: it cannot conflict with other writers (spec edits, other
 * status fields), and a status computed from a stale read is corrected by the reconcile the
 * newer change triggers.
 */
const writeInstanceStatus = async (
  ctx: ReconcileContext,
  raw: RawInstance,
  status: PmsInstanceStatus,
): Promise<boolean> =>
  !!(await writeStatus(ctx, raw, status, { plural: PLURAL, fields: OWNED_STATUS_FIELDS }));

/**
 * Component progress (status/progress.ts) is written at most this often per instance; Ready,
 * phase and every other change are written at once.
 */
export const PROGRESS_WRITE_INTERVAL_MS = 5_000;

/** While not Ready, look again this often even if no watch event arrives. */
export const NOT_READY_REQUEUE_MS = 30_000;

type LastBackup = NonNullable<PmsInstanceStatus['lastBackup']>;

/** The later of the recorded and the observed backup (finished Jobs are cleaned up by history limits). */
export function newestBackup(
  recorded: LastBackup | undefined,
  observed: LastBackup | undefined,
): LastBackup | undefined {
  if (!recorded || !observed) return observed ?? recorded;
  return (observed.time ?? '') >= (recorded.time ?? '') ? observed : recorded;
}

const toJson = (status: PmsInstanceStatus) =>
  JSON.parse(JSON.stringify(status)) as Record<string, unknown>;

const PRIMARY = { apiVersion: API_VERSION, kind: KIND, plural: PLURAL, namespaced: true } as const;

/**
 * The instance from the runtime's informer (a private copy: the reconcile may change it), or a
 * GET where there is no synced cache. A cached copy can trail a write this process just made;
 * that write's own watch event queues the instance again, so the next reconcile sees it.
 */
async function readInstance(
  ctx: ReconcileContext,
  key: ObjectKey,
): Promise<RawInstance | undefined> {
  const cached = ctx.cache?.primary(PRIMARY, key.namespace, key.name);
  if (cached === null) return undefined;
  if (cached) return structuredClone(cached) as RawInstance;
  return readObject<RawInstance>(ctx, API_VERSION, KIND, key.namespace, key.name);
}

export interface ReconcileOptions {
  /** CSPRNG for generated credentials (tests may inject a deterministic one). */
  random?: (n: number) => Uint8Array;
  now?: () => Date;
  /** How long API discovery of optional kinds (ServiceMonitor) is cached (default 60 s). */
  discoveryTtlMs?: number;
}

export function makeReconciler(opts: ReconcileOptions = {}) {
  const random = opts.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const now = opts.now ?? (() => new Date());
  const discover = makeDiscovery({ ttlMs: opts.discoveryTtlMs });
  const driftChecker = new DriftChecker();
  const statuses = new WrittenStatuses<PmsInstanceStatus>(OWNED_STATUS_FIELDS);
  const writeInstanceStatusOnce = async (
    ctx: ReconcileContext,
    raw: RawInstance,
    status: PmsInstanceStatus,
  ): Promise<boolean> => {
    const written = await writeInstanceStatus(ctx, raw, status);
    if (written) {
      statuses.remember(raw, status);
      lastWrite.set(keyOf(raw), now().getTime());
    }
    return written;
  };
  /** When this process last wrote each instance's status (ms), by namespace/name. */
  const lastWrite = new Map<string, number>();
  const keyOf = (o: RawInstance) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  /** How long a progress-only change waits for the interval (0: write now). */
  const progressWait = (raw: RawInstance, status: PmsInstanceStatus): number => {
    if (!onlyProgress(raw.status, status)) return 0;
    if (
      !statusMergePatch(
        raw.status as Record<string, unknown> | undefined,
        toJson(status),
        OWNED_STATUS_FIELDS,
      )
    )
      return 0;
    const since = now().getTime() - (lastWrite.get(keyOf(raw)) ?? 0);
    return Math.max(0, PROGRESS_WRITE_INTERVAL_MS - since);
  };

  return async function reconcilePmsInstance(
    ctx: ReconcileContext,
    key: ObjectKey,
  ): Promise<ReconcileResult> {
    const read = await readInstance(ctx, key);
    // Gone, or going: children are dependents and the garbage collector removes them.
    if (!read || read.metadata?.deletionTimestamp) {
      statuses.forget(key.namespace, key.name);
      lastWrite.delete(`${key.namespace}/${key.name}`);
      return {};
    }
    const raw = statuses.overlay(read);

    let instance: PmsInstance;
    try {
      instance = parseInstance(raw as Parameters<typeof parseInstance>[0]);
    } catch (err) {
      if (!(err instanceof InvalidSpecError)) throw err;
      const status = invalidSpecStatus(raw.metadata?.generation, err.message, raw.status, now());
      if (await writeInstanceStatusOnce(ctx, raw, status)) {
        await ctx.events.record(raw, 'Warning', 'InvalidSpec', err.message);
      }
      throw new PermanentError(`invalid spec: ${err.message}`);
    }

    if (instance.spec.paused) {
      if (await writeInstanceStatusOnce(ctx, raw, pausedStatus(instance, raw.status, now()))) {
        await ctx.events.record(
          raw,
          'Normal',
          'Paused',
          'spec.paused is true: children are left as they are',
        );
      }
      return {};
    }

    // Generated credentials: created when absent, never rewritten.
    // Optional kinds (CRDs of other projects) are rendered, listed and pruned only where served.
    const caps = await clusterCapabilities(ctx.kc, discover, {
      serviceMonitor: SERVICE_MONITOR,
      httpRoute: HTTP_ROUTE,
    });
    ctx.cache?.served?.(SERVICE_MONITOR, caps.serviceMonitors);
    ctx.cache?.served?.(HTTP_ROUTE, caps.httpRoutes);
    const optional = [
      ...(caps.serviceMonitors ? [SERVICE_MONITOR] : []),
      ...(caps.httpRoutes ? [HTTP_ROUTE] : []),
    ];
    const live = await listChildren(ctx, instance, optional);
    const createdSecrets = await ensureSecrets(ctx, renderSecrets(instance, random), live);
    // External MongoDB/Redis: egress is opened to the ports their connection strings name.
    const external = await readExternalStores(ctx, instance);
    // A restore holding the data lock keeps the backup CronJob suspended (restore.ts).
    const restoring =
      instance.spec.backup.enabled && !instance.spec.hibernate
        ? await restoreInProgress(ctx, raw)
        : undefined;
    // spec.restoreFrom: the clone Job first, the app held at zero until it succeeded.
    const clone = await planClone(ctx, instance, raw.status, live, now);
    // A version change: the migration Job with the new image before the app Deployments roll.
    const upgrade = await planUpgradeStep(ctx, instance, raw.status, live);
    const desired = withClone(
      withUpgrade(
        withBackupsSuspended(
          renderChildren(instance, caps, external.ports),
          restoring !== undefined,
        ),
        instance,
        upgrade,
      ),
      clone,
    );
    let outcome: ApplyOutcome;
    try {
      outcome = await applyChildren(
        ctx,
        raw,
        desired,
        live,
        async () => {
          const latest = await readObject<RawInstance>(
            ctx,
            API_VERSION,
            KIND,
            key.namespace,
            key.name,
          );
          return latest?.metadata?.generation === raw.metadata?.generation;
        },
        driftChecker,
      );
    } catch (err) {
      const message = `applying children failed: ${describeError(err)}`;
      await ctx.events.record(raw, 'Warning', 'ApplyFailed', message);
      throw err;
    }
    if (outcome.stale) return { requeueAfterMs: 0 };
    const { applied, workloads } = outcome;
    const created = [...createdSecrets, ...outcome.created];
    const pruned = await prune(ctx, instance, desired, live);

    if (created.length > 0)
      await ctx.events.record(raw, 'Normal', 'Created', `created ${created.join(', ')}`);
    if (applied.length > 0)
      await ctx.events.record(raw, 'Normal', 'Applied', `applied ${applied.join(', ')}`);
    if (pruned.length > 0)
      await ctx.events.record(raw, 'Normal', 'Pruned', `deleted ${pruned.join(', ')}`);

    // A missing Secret (checkExternalRefs) wins over an unreadable connection string.
    const missingRefs: Observed['missingRefs'] = new Map<string, string | RefProblem>([
      ...external.problems,
      ...(await checkExternalRefs(ctx, instance)),
    ]);
    const observed: Observed = { workloads, missingRefs, gates: routeGates(instance, caps) };
    const cloned = withCloneStatus(
      instance,
      instance.spec.hibernate
        ? hibernatedStatus(instance, observed, raw.status, now())
        : withWakeCondition(
            computeStatus(instance, observed, raw.status, now()),
            raw.status,
            now(),
          ),
      raw.status,
      clone,
      now(),
    );
    const status = withUpgradeStatus(instance, cloned, raw.status, upgrade, now());
    const lastBackup = newestBackup(
      raw.status?.lastBackup,
      await observeLastBackupCached(ctx, instance, raw.status?.lastBackup),
    );
    if (lastBackup) status.lastBackup = lastBackup;
    if (clone.state === 'restored' && !raw.status?.restoredFrom)
      await ctx.events.record(
        raw,
        'Normal',
        'Restored',
        `restored ${clone.restoredFrom.source} (${clone.restoredFrom.objectKey}) before first start`,
      );
    const wasReady = findCondition(raw.status?.conditions, CONDITION.Ready)?.status === 'True';
    const ready = findCondition(status.conditions, CONDITION.Ready);
    // Component progress waits for the interval; the reconcile it asks for writes it then.
    const waitMs = progressWait(raw, status);
    if (waitMs === 0 && (await writeInstanceStatusOnce(ctx, raw, status))) {
      await recordUpgradeEvents(ctx, raw, raw.status, status);
      if (ready?.status === 'True' && !wasReady)
        await ctx.events.record(
          raw,
          'Normal',
          'Ready',
          `every component is ready (version ${status.version ?? instance.spec.version})`,
        );
      if (ready?.status === 'False' && wasReady && !instance.spec.hibernate)
        await ctx.events.record(raw, 'Warning', 'Degraded', ready.message);
    }
    if (waitMs > 0) return { requeueAfterMs: waitMs };
    if (instance.spec.hibernate) {
      const asleep = findCondition(status.conditions, CONDITION.Hibernated)?.status === 'True';
      const was = findCondition(raw.status?.conditions, CONDITION.Hibernated)?.status === 'True';
      if (asleep && !was)
        await ctx.events.record(raw, 'Normal', 'Hibernated', 'every workload is scaled to zero');
      return asleep ? {} : { requeueAfterMs: NOT_READY_REQUEUE_MS };
    }
    return ready?.status === 'True' ? {} : { requeueAfterMs: NOT_READY_REQUEUE_MS };
  };
}

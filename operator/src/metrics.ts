// Prometheus metrics in controller-runtime's style. Each operator gets its own Registry so two
// operators in one process (tests) never share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue_after' | 'permanent_error';

export interface OperatorMetrics {
  registry: Registry;
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  reconcileDuration: Histogram<'controller' | 'result'>;
  workqueueDepth: Gauge<'controller'>;
  instances: Gauge<'kind' | 'phase'>;
  leader: Gauge;
  watchRestarts: Counter<'kind'>;
}

export const metricNames = {
  reconcileTotal: 'pms_operator_reconcile_total',
  reconcileErrors: 'pms_operator_reconcile_errors_total',
  reconcileDuration: 'pms_operator_reconcile_duration_seconds',
  workqueueDepth: 'pms_operator_workqueue_depth',
  instances: 'pms_operator_instances',
  leader: 'pms_operator_leader',
  watchRestarts: 'pms_operator_watch_restarts_total',
} as const;

export interface InstanceCount {
  kind: string;
  phase: string;
  count: number;
}

export function createMetrics(
  opts: { defaultMetrics?: boolean; instances?: () => InstanceCount[] } = {},
): OperatorMetrics {
  const countInstances = opts.instances;
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'pms_operator_' });
  const registers = [registry];
  return {
    registry,
    reconcileTotal: new Counter({
      name: metricNames.reconcileTotal,
      help: 'Reconciles per controller and result (success, error, requeue_after, permanent_error).',
      labelNames: ['controller', 'result'],
      registers,
    }),
    reconcileErrors: new Counter({
      name: metricNames.reconcileErrors,
      help: 'Reconciles that ended in an error.',
      labelNames: ['controller'],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: metricNames.reconcileDuration,
      help: 'Time per reconcile, by controller and result.',
      labelNames: ['controller', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    workqueueDepth: new Gauge({
      name: metricNames.workqueueDepth,
      help: 'Keys waiting in the work queue, per controller.',
      labelNames: ['controller'],
      registers,
    }),
    instances: new Gauge({
      name: metricNames.instances,
      help: 'Primary objects seen by the informers, by kind and status.phase.',
      labelNames: ['kind', 'phase'],
      registers,
      collect() {
        if (!countInstances) return;
        this.reset();
        for (const c of countInstances()) this.set({ kind: c.kind, phase: c.phase }, c.count);
      },
    }),
    leader: new Gauge({
      name: metricNames.leader,
      help: '1 while this process holds the leader-election lease (or runs without election).',
      registers,
    }),
    watchRestarts: new Counter({
      name: metricNames.watchRestarts,
      help: 'Informer restarts after a watch or list error or a stale watch, per kind.',
      labelNames: ['kind'],
      registers,
    }),
  };
}

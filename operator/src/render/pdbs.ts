// PodDisruptionBudgets for every component that runs more than one pod.
// - Fixed replicas > 1: maxUnavailable 1 (one pod at a time, whatever the count).
// - Autoscaled (HPA) with minReplicas > 1: minAvailable minReplicas - 1. The HPA may run more
//   pods than the minimum; a drain may take them down to one below the minimum the owner
//   declared enough, never to zero. minAvailable = minReplicas would block every drain while
//   the HPA sits at its minimum. minReplicas 1: no PDB (it could only block drains).
import type { PmsInstance } from '../api/spec.ts';
import { objectMeta, selectorLabels } from './labels.ts';
import { names } from './names.ts';
import type { Child, Component } from './types.ts';

type Budget = { maxUnavailable: number } | { minAvailable: number };

function budget(replicas: number, autoscaling?: { minReplicas: number }): Budget | undefined {
  if (autoscaling)
    return autoscaling.minReplicas > 1 ? { minAvailable: autoscaling.minReplicas - 1 } : undefined;
  return replicas > 1 ? { maxUnavailable: 1 } : undefined;
}

export function renderPodDisruptionBudgets(i: PmsInstance): Child[] {
  const s = i.spec;
  // Hibernating: no pods to protect.
  if (s.hibernate) return [];
  const replicated: [Component, boolean, Budget | undefined][] = [
    ['backend', s.backend.enabled, budget(s.backend.replicas, s.backend.autoscaling)],
    ['frontend', s.frontend.enabled, budget(s.frontend.replicas, s.frontend.autoscaling)],
    ['worker', s.worker.enabled, budget(s.worker.replicas)],
    ['mongodb', !s.mongodb.external, budget(s.mongodb.replicas)],
  ];
  return replicated.flatMap(([component, enabled, b]) =>
    enabled && b
      ? [
          {
            apiVersion: 'policy/v1',
            kind: 'PodDisruptionBudget',
            metadata: objectMeta(i, names.workload(i, component), component),
            spec: { ...b, selector: { matchLabels: selectorLabels(i, component) } },
          },
        ]
      : [],
  );
}

// PodDisruptionBudgets for every component that runs more than one pod.
import type { PmsInstance } from '../api/spec.ts';
import { objectMeta, selectorLabels } from './labels.ts';
import { names } from './names.ts';
import type { Child, Component } from './types.ts';

export function renderPodDisruptionBudgets(i: PmsInstance): Child[] {
  const s = i.spec;
  const replicated: [Component, number, boolean][] = [
    ['backend', s.backend.replicas, s.backend.enabled],
    ['frontend', s.frontend.replicas, s.frontend.enabled],
    ['worker', s.worker.replicas, s.worker.enabled],
    ['mongodb', s.mongodb.replicas, !s.mongodb.external],
  ];
  return replicated
    .filter(([, replicas, enabled]) => enabled && replicas > 1)
    .map(([component]) => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: objectMeta(i, names.workload(i, component), component),
      spec: {
        maxUnavailable: 1,
        selector: { matchLabels: selectorLabels(i, component) },
      },
    }));
}

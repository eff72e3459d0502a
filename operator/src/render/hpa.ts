// HorizontalPodAutoscalers (autoscaling/v2) for the Deployments whose spec asks for one
// (backend, frontend). The Deployment is then rendered without `spec.replicas`, so the
// operator's server-side apply never owns or resets the HPA's value (see workloads.ts).
import type { PmsInstance, TAutoscaling } from '../api/spec.ts';
import { objectMeta } from './labels.ts';
import { names } from './names.ts';
import type { Child } from './types.ts';

/** The autoscaled components, with their autoscaling spec (enabled ones only). */
export function autoscaled(i: PmsInstance): ['backend' | 'frontend', TAutoscaling][] {
  const out: ['backend' | 'frontend', TAutoscaling][] = [];
  // Hibernating: the Deployments are at 0 and must stay there (an HPA would not scale up
  // from 0 anyway, but its minReplicas would fight an explicit 0).
  if (i.spec.hibernate) return out;
  for (const c of ['backend', 'frontend'] as const) {
    const a = i.spec[c].autoscaling;
    if (i.spec[c].enabled && a) out.push([c, a]);
  }
  return out;
}

export function renderHorizontalPodAutoscalers(i: PmsInstance): Child[] {
  return autoscaled(i).map(([component, a]) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: objectMeta(i, names.workload(i, component), component),
    spec: {
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: names.workload(i, component),
      },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage },
          },
        },
      ],
    },
  }));
}

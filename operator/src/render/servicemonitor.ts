// The per-instance ServiceMonitor (Prometheus Operator, monitoring.coreos.com/v1): scrape the
// backend Service's `metrics` port (9464) at /metrics. Rendered only when spec.monitoring.enabled and the
// caller says the cluster serves the kind (render/ is pure: discovery is the controller's job).
import type { PmsInstance } from '../api/spec.ts';
import { labels, ownerReference, selectorLabels } from './labels.ts';
import { names } from './names.ts';
import type { Child } from './types.ts';

export const SERVICE_MONITOR_API_VERSION = 'monitoring.coreos.com/v1';
export const SERVICE_MONITOR_KIND = 'ServiceMonitor';

/** The backend Service's port name of its metrics listener (render/services.ts). */
export const METRICS_PORT_NAME = 'metrics';

export function renderServiceMonitor(i: PmsInstance, served: boolean): Child[] {
  const s = i.spec;
  if (!served || !s.monitoring.enabled || !s.backend.enabled) return [];
  return [
    {
      apiVersion: SERVICE_MONITOR_API_VERSION,
      kind: SERVICE_MONITOR_KIND,
      metadata: {
        name: names.workload(i, 'backend'),
        namespace: i.metadata.namespace,
        // The standard labels win over user-supplied ones.
        labels: { ...s.monitoring.labels, ...labels(i, 'backend') },
        ownerReferences: [ownerReference(i)],
      },
      spec: {
        selector: { matchLabels: selectorLabels(i, 'backend') },
        namespaceSelector: { matchNames: [i.metadata.namespace] },
        endpoints: [
          {
            port: METRICS_PORT_NAME,
            path: '/metrics',
            scheme: 'http',
            interval: s.monitoring.interval,
          },
        ],
      },
    },
  ];
}

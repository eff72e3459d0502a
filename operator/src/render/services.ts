// Services: one per served component, plus MongoDB's headless Service for stable member names.
import type { PmsInstance } from '../api/spec.ts';
import {
  BACKEND_PORT,
  FRONTEND_PORT,
  METRICS_PORT,
  MINIO_PORT,
  MONGODB_PORT,
  REDIS_PORT,
} from './configmaps.ts';
import { objectMeta, selectorLabels } from './labels.ts';
import { names } from './names.ts';
import type { Child, Component } from './types.ts';

function service(
  i: PmsInstance,
  name: string,
  component: Component,
  port: number,
  portName: string,
  headless = false,
  extraPorts: { name: string; port: number }[] = [],
): Child {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(i, name, component),
    spec: {
      type: 'ClusterIP',
      ...(headless ? { clusterIP: 'None', publishNotReadyAddresses: true } : {}),
      selector: selectorLabels(i, component),
      ports: [{ name: portName, port }, ...extraPorts].map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.name,
        protocol: 'TCP',
      })),
    },
  };
}

export function renderServices(i: PmsInstance): Child[] {
  const s = i.spec;
  const out: Child[] = [];
  if (s.backend.enabled)
    out.push(
      service(
        i,
        names.service(i, 'backend'),
        'backend',
        BACKEND_PORT,
        'http',
        false,
        // The ServiceMonitor scrapes the metrics port through the Service.
        i.spec.monitoring.enabled ? [{ name: 'metrics', port: METRICS_PORT }] : [],
      ),
    );
  if (s.frontend.enabled)
    out.push(service(i, names.service(i, 'frontend'), 'frontend', FRONTEND_PORT, 'http'));
  if (!s.mongodb.external)
    out.push(service(i, names.mongodbHeadless(i), 'mongodb', MONGODB_PORT, 'mongodb', true));
  if (s.redis.enabled && !s.redis.external)
    out.push(service(i, names.service(i, 'redis'), 'redis', REDIS_PORT, 'redis'));
  if (!s.objectStorage.external)
    out.push(service(i, names.service(i, 'minio'), 'minio', MINIO_PORT, 's3'));
  return out;
}

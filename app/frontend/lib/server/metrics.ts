import 'server-only';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

// One registry per process, kept on globalThis so dev-mode module reloads do not re-register.
const g = globalThis as typeof globalThis & { __pmsMetrics?: Metrics };

interface Metrics {
  registry: Registry;
  proxied: Counter<'method' | 'status'>;
}

export function metrics(): Metrics {
  if (!g.__pmsMetrics) {
    const registry = new Registry();
    registry.setDefaultLabels({ app: 'pms-frontend' });
    collectDefaultMetrics({ register: registry, prefix: 'pms_frontend_' });
    const proxied = new Counter({
      name: 'pms_frontend_api_proxy_requests_total',
      help: 'Requests forwarded to the backend API, by method and upstream status.',
      labelNames: ['method', 'status'] as const,
      registers: [registry],
    });
    g.__pmsMetrics = { registry, proxied };
  }
  return g.__pmsMetrics;
}

// The HTTPRoute (gateway.networking.k8s.io/v1) that serves spec.host through the Gateways of
// spec.gateway.parentRefs: /api to the backend, everything else to the frontend; the Gateway API
// alternative to render/ingress.ts. Rendered only where the cluster serves HTTPRoutes.
import type { PmsInstance } from '../api/spec.ts';
import { BACKEND_PORT, FRONTEND_PORT } from './configmaps.ts';
import { objectMeta } from './labels.ts';
import { childName, names } from './names.ts';
import type { Child } from './types.ts';

export const httpRouteName = (i: PmsInstance): string => childName(i, 'route');

/** The namespaces of the Gateways the route attaches to (a parentRef without one: the instance's). */
export function gatewayNamespaces(i: PmsInstance): string[] {
  const refs = i.spec.gateway?.parentRefs ?? [];
  return [...new Set(refs.map((r) => r.namespace ?? i.metadata.namespace))].sort();
}

export function renderHttpRoute(i: PmsInstance, served: boolean): Child[] {
  const s = i.spec;
  if (!s.gateway || !served) return [];
  const rule = (prefix: string, service: string, port: number) => ({
    matches: [{ path: { type: 'PathPrefix', value: prefix } }],
    backendRefs: [{ name: service, port }],
  });
  const rules = [];
  if (s.backend.enabled) rules.push(rule('/api', names.service(i, 'backend'), BACKEND_PORT));
  if (s.frontend.enabled) rules.push(rule('/', names.service(i, 'frontend'), FRONTEND_PORT));
  if (rules.length === 0) return [];
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: objectMeta(i, httpRouteName(i), 'frontend'),
      spec: {
        parentRefs: s.gateway.parentRefs.map((r) => ({ ...r })),
        hostnames: s.gateway.hostnames ?? [s.host],
        rules,
      },
    },
  ];
}

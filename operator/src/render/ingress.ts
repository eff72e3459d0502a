// The Ingress: spec.host, /api to the backend, everything else to the frontend.
import type { PmsInstance } from '../api/spec.ts';
import { BACKEND_PORT, FRONTEND_PORT } from './configmaps.ts';
import { objectMeta } from './labels.ts';
import { childName, names } from './names.ts';
import type { Child } from './types.ts';

export function renderIngress(i: PmsInstance): Child[] {
  const s = i.spec;
  // spec.gateway replaces the Ingress (the CRD refuses both; objects built in code may not).
  if (!s.ingress.enabled || s.gateway) return [];
  const path = (p: string, service: string, port: number) => ({
    path: p,
    pathType: 'Prefix',
    backend: { service: { name: service, port: { number: port } } },
  });
  const paths = [];
  if (s.backend.enabled) paths.push(path('/api', names.service(i, 'backend'), BACKEND_PORT));
  if (s.frontend.enabled) paths.push(path('/', names.service(i, 'frontend'), FRONTEND_PORT));
  if (paths.length === 0) return [];
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: objectMeta(i, childName(i, 'ingress'), 'frontend', s.ingress.annotations),
      spec: {
        ...(s.ingress.className ? { ingressClassName: s.ingress.className } : {}),
        ...(s.ingress.tls.secretName
          ? { tls: [{ hosts: [s.host], secretName: s.ingress.tls.secretName }] }
          : {}),
        rules: [{ host: s.host, http: { paths } }],
      },
    },
  ];
}

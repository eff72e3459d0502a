// The API resources the plugin reads or writes, and their REST paths. Pure.

export interface Resource {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
}

const r = (group: string, version: string, plural: string, kind: string): Resource => ({
  group,
  version,
  plural,
  kind,
});

export const PMS_GROUP = 'pms.io';
export const PMS_VERSION = 'v1alpha1';

export const R = {
  instance: r(PMS_GROUP, PMS_VERSION, 'pmsinstances', 'PmsInstance'),
  backup: r(PMS_GROUP, PMS_VERSION, 'pmsbackups', 'PmsBackup'),
  restore: r(PMS_GROUP, PMS_VERSION, 'pmsrestores', 'PmsRestore'),
  deployment: r('apps', 'v1', 'deployments', 'Deployment'),
  statefulSet: r('apps', 'v1', 'statefulsets', 'StatefulSet'),
  cronJob: r('batch', 'v1', 'cronjobs', 'CronJob'),
  job: r('batch', 'v1', 'jobs', 'Job'),
  pod: r('', 'v1', 'pods', 'Pod'),
  service: r('', 'v1', 'services', 'Service'),
  configMap: r('', 'v1', 'configmaps', 'ConfigMap'),
  secret: r('', 'v1', 'secrets', 'Secret'),
  pvc: r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  serviceAccount: r('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  event: r('', 'v1', 'events', 'Event'),
  ingress: r('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  networkPolicy: r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy'),
  pdb: r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
} as const;

export function apiVersion(res: Resource): string {
  return res.group === '' ? res.version : `${res.group}/${res.version}`;
}

/** `/api/v1/namespaces/ns/pods/name/log`, or cluster-wide when `namespace` is undefined. */
export function resourcePath(
  res: Resource,
  namespace?: string,
  name?: string,
  subresource?: string,
  query?: Record<string, string | undefined>,
): string {
  const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  const parts = [base];
  if (namespace !== undefined) parts.push('namespaces', encodeURIComponent(namespace));
  parts.push(res.plural);
  if (name !== undefined) parts.push(encodeURIComponent(name));
  if (subresource !== undefined) parts.push(subresource);
  const q = Object.entries(query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  const qs = q.length > 0 ? `?${new URLSearchParams(q).toString()}` : '';
  return parts.join('/').replace(/^\/\//, '/') + qs;
}

/** `k=v,k2=v2` for a labelSelector query. */
export function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The labels every child of an instance carries (operator/src/render/labels.ts). */
export function instanceLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'pms', 'app.kubernetes.io/instance': name };
}

export const COMPONENTS = ['backend', 'frontend', 'worker', 'mongodb', 'redis', 'minio'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Child names are `<instance>-<component>` (operator/src/render/names.ts). */
export const childNames = {
  workload: (instance: string, c: Component) => `${instance}-${c}`,
  adminSecret: (instance: string) => `${instance}-admin`,
  backupCronJob: (instance: string) => `${instance}-backup`,
};

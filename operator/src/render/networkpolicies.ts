// NetworkPolicies: deny everything for the instance's pods, then allow exactly what PMS needs:
// DNS for all; ingress controller -> frontend/backend; frontend -> backend; monitoring
// namespace -> the backend's metrics port; backend, worker and backup -> their data stores;
// MongoDB members -> each other. External endpoints (data stores, SMTP, S3) have no address
// the cluster knows, so they are reached by egress to any IPv4 address on their ports only,
// and never to the link-local range (169.254.0.0/16: the cloud metadata service). The ports of
// an external MongoDB/Redis live in a user Secret: the controller reads and parses it
// (connection-ports.ts) and passes them in; without them no egress to that store is opened.
// Webhook targets (backend and worker) are any PUBLIC IPv4 address on spec.webhooks.ports: the
// private, loopback, CGNAT and link-local ranges are excepted, the same ranges the app refuses
// (defence in depth against SSRF), unless spec.webhooks opens them.
// docs/security.md has the table of allowed flows.
import type { PmsInstance } from '../api/spec.ts';
import {
  BACKEND_PORT,
  FRONTEND_PORT,
  METRICS_PORT,
  MINIO_PORT,
  MONGODB_PORT,
  REDIS_PORT,
} from './configmaps.ts';
import { instanceSelector, objectMeta, selectorLabels } from './labels.ts';
import { names } from './names.ts';
import { gatewayNamespaces } from './httproute.ts';
import type { Child, Component } from './types.ts';

type Rule = Record<string, unknown>;

const tcp = (port: number) => ({ protocol: 'TCP', port });

/** Never reachable through an "any address" rule: link-local, i.e. cloud instance metadata. */
export const EXTERNAL_EGRESS_EXCEPT = ['169.254.0.0/16'];

/** Not public: what webhooks may not reach unless spec.webhooks.allowPrivateTargets is true. */
export const PRIVATE_IPV4_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/3',
];

/** A plain address in spec.webhooks.allowedCIDRs is its own /32 (or /128). */
const asCidr = (c: string) => (c.includes('/') ? c : c.includes(':') ? `${c}/128` : `${c}/32`);

/** Egress for webhook requests; none when spec.webhooks.ports is empty. */
export function webhookEgress(w: PmsInstance['spec']['webhooks']): Rule[] {
  if (w.ports.length === 0) return [];
  const ports = [...new Set(w.ports)].map(tcp);
  const except = w.allowPrivateTargets ? EXTERNAL_EGRESS_EXCEPT : PRIVATE_IPV4_RANGES;
  const rules: Rule[] = [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except } }], ports }];
  if (w.allowedCIDRs.length > 0)
    rules.push({ to: w.allowedCIDRs.map((c) => ({ ipBlock: { cidr: asCidr(c) } })), ports });
  return rules;
}

/**
 * The ports of the external data stores, read by the controller from the Secrets the spec
 * points at. A store that is external but absent here (Secret missing or unparseable) gets
 * no egress rule at all: the status says why, and nothing is opened on a guess.
 */
export interface ExternalStorePorts {
  mongodb?: number[];
  redis?: number[];
}

/** Egress to an endpoint outside the cluster: any IPv4 address but link-local, these ports. */
function externalEgress(ports: number[]): Rule {
  return {
    to: [{ ipBlock: { cidr: '0.0.0.0/0', except: EXTERNAL_EGRESS_EXCEPT } }],
    ports: ports.map(tcp),
  };
}

/**
 * The TCP ports an S3 endpoint is reached on: 443 plus the URL's port (the scheme's default
 * when absent: http 80, https 443). An endpoint without a scheme is read as https.
 */
export function s3EndpointPorts(endpoint: string): number[] {
  let url: URL | undefined;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
  } catch {
    url = undefined;
  }
  const port = url?.port ? Number(url.port) : url?.protocol === 'http:' ? 80 : 443;
  return [...new Set([443, port])];
}

/** Egress to an external S3 endpoint: its ports only. */
const s3Egress = (endpoint: string): Rule => externalEgress(s3EndpointPorts(endpoint));

function policy(
  i: PmsInstance,
  name: string,
  component: Component,
  podSelector: Record<string, string>,
  ingress: Rule[] | undefined,
  egress: Rule[] | undefined,
): Child {
  const policyTypes = [...(ingress ? ['Ingress'] : []), ...(egress ? ['Egress'] : [])];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: objectMeta(i, name, component),
    spec: {
      podSelector: { matchLabels: podSelector },
      policyTypes,
      ...(ingress && ingress.length > 0 ? { ingress } : {}),
      ...(egress && egress.length > 0 ? { egress } : {}),
    },
  };
}

export function renderNetworkPolicies(
  i: PmsInstance,
  externalStores: ExternalStorePorts = {},
): Child[] {
  const s = i.spec;
  if (!s.networkPolicy.enabled) return [];
  const pods = (...components: Component[]) =>
    components.map((c) => ({ podSelector: { matchLabels: selectorLabels(i, c) } }));
  // Who may reach frontend and backend: the ingress controller's namespace, or with
  // spec.gateway the Gateways' namespaces (or the selector given for the proxies).
  const ingressController = {
    namespaceSelector: s.gateway
      ? (s.gateway.namespaceSelector ?? {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'In', values: gatewayNamespaces(i) },
          ],
        })
      : s.networkPolicy.ingressNamespaceSelector,
  };

  // Where backend and worker may connect.
  const appEgress: Rule[] = [];
  const backupEgress: Rule[] = [];
  if (s.mongodb.external) {
    if (externalStores.mongodb) {
      appEgress.push(externalEgress(externalStores.mongodb));
      backupEgress.push(externalEgress(externalStores.mongodb));
    }
  } else {
    appEgress.push({ to: pods('mongodb'), ports: [tcp(MONGODB_PORT)] });
    backupEgress.push({ to: pods('mongodb'), ports: [tcp(MONGODB_PORT)] });
  }
  if (s.redis.enabled && !s.redis.external)
    appEgress.push({ to: pods('redis'), ports: [tcp(REDIS_PORT)] });
  if (s.redis.enabled && s.redis.external && externalStores.redis)
    appEgress.push(externalEgress(externalStores.redis));
  if (s.objectStorage.external) {
    appEgress.push(s3Egress(s.objectStorage.external.endpoint));
    backupEgress.push(s3Egress(s.objectStorage.external.endpoint));
  } else {
    appEgress.push({ to: pods('minio'), ports: [tcp(MINIO_PORT)] });
    backupEgress.push({ to: pods('minio'), ports: [tcp(MINIO_PORT)] });
  }
  if (s.smtp) appEgress.push(externalEgress([s.smtp.port]));
  appEgress.push(...webhookEgress(s.webhooks));
  // A backup destination on another S3 endpoint (backups otherwise go to the object storage).
  if (s.backup.destination?.endpoint) backupEgress.push(s3Egress(s.backup.destination.endpoint));
  // The clone source of spec.restoreFrom.objectStorage (a backupRef's endpoint: 443 below only
  // if it is one of the above; see controller/backup-clone.ts).
  if (s.restoreFrom?.objectStorage)
    backupEgress.push(s3Egress(s.restoreFrom.objectStorage.endpoint));

  const backendIngress: Rule[] = [
    { from: [ingressController, ...pods('frontend')], ports: [tcp(BACKEND_PORT)] },
  ];
  // Prometheus: only the monitoring namespace, only the metrics listener (not the API).
  if (s.monitoring.enabled)
    backendIngress.push({
      from: [{ namespaceSelector: s.monitoring.namespaceSelector }],
      ports: [tcp(METRICS_PORT)],
    });

  const out: Child[] = [
    policy(i, names.networkPolicy(i, 'default-deny'), 'backend', instanceSelector(i), [], []),
    policy(i, names.networkPolicy(i, 'allow-dns'), 'backend', instanceSelector(i), undefined, [
      {
        to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]),
    policy(
      i,
      names.networkPolicy(i, 'frontend'),
      'frontend',
      selectorLabels(i, 'frontend'),
      [{ from: [ingressController], ports: [tcp(FRONTEND_PORT)] }],
      [{ to: pods('backend'), ports: [tcp(BACKEND_PORT)] }],
    ),
    policy(
      i,
      names.networkPolicy(i, 'backend'),
      'backend',
      selectorLabels(i, 'backend'),
      backendIngress,
      appEgress,
    ),
    policy(
      i,
      names.networkPolicy(i, 'worker'),
      'worker',
      selectorLabels(i, 'worker'),
      [],
      appEgress,
    ),
    policy(
      i,
      names.networkPolicy(i, 'backup'),
      'backup',
      selectorLabels(i, 'backup'),
      [],
      backupEgress,
    ),
  ];
  if (!s.mongodb.external) {
    out.push(
      policy(
        i,
        names.networkPolicy(i, 'mongodb'),
        'mongodb',
        selectorLabels(i, 'mongodb'),
        [{ from: pods('backend', 'worker', 'backup', 'mongodb'), ports: [tcp(MONGODB_PORT)] }],
        [{ to: pods('mongodb'), ports: [tcp(MONGODB_PORT)] }],
      ),
    );
  }
  if (s.redis.enabled && !s.redis.external) {
    out.push(
      policy(
        i,
        names.networkPolicy(i, 'redis'),
        'redis',
        selectorLabels(i, 'redis'),
        [{ from: pods('backend', 'worker'), ports: [tcp(REDIS_PORT)] }],
        [],
      ),
    );
  }
  if (!s.objectStorage.external) {
    out.push(
      policy(
        i,
        names.networkPolicy(i, 'minio'),
        'minio',
        selectorLabels(i, 'minio'),
        // The bucket Job's pod carries the minio labels too.
        [{ from: pods('backend', 'worker', 'backup', 'minio'), ports: [tcp(MINIO_PORT)] }],
        [{ to: pods('minio'), ports: [tcp(MINIO_PORT)] }],
      ),
    );
  }
  return out;
}

// The ingress controller of the real node: Traefik, the default IngressClass `traefik`.
//
// Why Traefik: ingress-nginx was retired in March 2026 (no releases or security fixes since);
// Traefik v3 serves both the Ingress API and Gateway API, and it is one static Go binary that
// builds from its Go module here, so no registry image is needed. v3.6.12 is the newest line that
// builds: v3.7's go.mod points at an unpublished nested module. The binary comes from the wrapper
// module tools/testenv/go/traefik (see install.ts), goes into a FROM scratch image built with
// buildah, and is imported into the node's containerd; the pod listens on :8000 inside and on the
// node's port 80 through a hostPort (the portmap CNI plugin), so the host reaches every Ingress at
// http://$TESTENV_INGRESS_IP/ with the right Host header.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyObject, type KubeObject } from '../apply.ts';
import { kubeRequest, type TlsClient } from '../https.ts';
import { binaryPath, traefikVersion } from '../install.ts';
import { buildahBuild, imagesDir, importIntoContainerd, ociArchive } from '../oci.ts';
import { goModulesDir } from '../paths.ts';
import { eventually } from '../wait.ts';

export const traefikNamespace = 'traefik';
export const traefikIngressClass = 'traefik';
/** Container port of the `web` entrypoint; the node's port 80 maps to it (non-root cannot bind 80). */
export const traefikWebPort = 8000;
/** Container port of the internal `traefik` entrypoint that serves /ping. */
export const traefikPingPort = 8080;
const uid = 65532;

/** The pinned version, read from the wrapper module so the image tag cannot drift from the binary. */
export const pinnedTraefikVersion = (): string =>
  traefikVersion(readFileSync(join(goModulesDir, 'traefik', 'go.mod'), 'utf8'));

export const traefikImage = (version: string): string => `localhost/pms/traefik:${version}`;

export interface TraefikObjectsOptions {
  image: string;
  /** Address published in every Ingress's status (the node's IP, where hostPort 80 listens). */
  nodeIp: string;
  /** Annotations that let the namespace's pods onto the tainted real node (empty when untainted). */
  namespaceAnnotations: Record<string, string>;
}

const labels = {
  'app.kubernetes.io/name': 'traefik',
  'app.kubernetes.io/managed-by': 'pms-testenv',
};

/** Everything Traefik needs in the cluster, as plain objects in apply order (pure). */
export function traefikObjects(o: TraefikObjectsOptions): KubeObject[] {
  const ns = traefikNamespace;
  const read = ['list', 'watch'];
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels, annotations: o.namespaceAnnotations },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'traefik', namespace: ns, labels },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'pms-testenv-traefik', labels },
      // What the Kubernetes Ingress provider of v3.6 really calls (pkg/provider/kubernetes/ingress/
      // client.go): informers (list/watch) on these kinds, reads served from their caches, and one
      // write, the Ingress status. Nodes: the cluster-scope informer for NodePortLB services, which
      // starts whenever IngressClasses are looked up.
      rules: [
        { apiGroups: [''], resources: ['services', 'secrets', 'nodes'], verbs: read },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
        {
          apiGroups: ['networking.k8s.io'],
          resources: ['ingresses', 'ingressclasses'],
          verbs: read,
        },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'pms-testenv-traefik', labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'pms-testenv-traefik',
      },
      subjects: [{ kind: 'ServiceAccount', name: 'traefik', namespace: ns }],
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: {
        name: traefikIngressClass,
        labels,
        // Ingresses without ingressClassName get this class (DefaultIngressClass admission).
        annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
      },
      spec: { controller: 'traefik.io/ingress-controller' },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'traefik', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
        // A hostPort can be held by one pod per node: a surge pod could never schedule.
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'traefik',
            terminationGracePeriodSeconds: 5,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: uid,
              runAsGroup: uid,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'traefik',
                image: o.image,
                // Built and imported locally; no registry is reachable.
                imagePullPolicy: 'Never',
                args: [
                  `--entrypoints.web.address=:${traefikWebPort}`,
                  `--entrypoints.traefik.address=:${traefikPingPort}`,
                  '--ping=true',
                  '--ping.entrypoint=traefik',
                  '--providers.kubernetesingress=true',
                  `--providers.kubernetesingress.ingressendpoint.ip=${o.nodeIp}`,
                  '--accesslog=true',
                  '--log.level=INFO',
                  '--log.nocolor=true',
                  '--global.checknewversion=false',
                  '--global.sendanonymoususage=false',
                ],
                ports: [
                  { name: 'web', containerPort: traefikWebPort, hostPort: 80, protocol: 'TCP' },
                  { name: 'traefik', containerPort: traefikPingPort, protocol: 'TCP' },
                ],
                readinessProbe: {
                  httpGet: { path: '/ping', port: 'traefik' },
                  periodSeconds: 2,
                  failureThreshold: 1,
                },
                livenessProbe: {
                  httpGet: { path: '/ping', port: 'traefik' },
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                resources: {
                  requests: { cpu: '50m', memory: '64Mi' },
                  limits: { memory: '512Mi' },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
  ];
}

/** Containerfile of the image: the static binary alone. */
export const traefikContainerfile = [
  'FROM scratch',
  'COPY traefik /usr/local/bin/traefik',
  `USER ${uid}:${uid}`,
  'ENTRYPOINT ["/usr/local/bin/traefik"]',
  '',
].join('\n');

/**
 * Builds localhost/pms/traefik:<version> from the cached binary (built by `testenv install`) and
 * returns its OCI archive. buildah's layer cache and ociArchive's image-ID check make a rebuild
 * with an unchanged binary take about a second.
 */
export function buildTraefikImage(version = pinnedTraefikVersion()): {
  image: string;
  archive: string;
} {
  const image = traefikImage(version);
  const context = join(imagesDir, 'traefik-context');
  mkdirSync(context, { recursive: true });
  // A hard link (same file system as the binary cache): no copy of a ~100 MB file per start.
  rmSync(join(context, 'traefik'), { force: true });
  linkSync(binaryPath('traefik'), join(context, 'traefik'));
  writeFileSync(join(context, 'Containerfile'), traefikContainerfile);
  buildahBuild({ tag: image, file: join(context, 'Containerfile'), context });
  return { image, archive: ociArchive(image) };
}

interface PodSummary {
  metadata?: { name?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      state?: Record<string, { reason?: string; message?: string } | undefined>;
    }>;
  };
}

/** One line per pod (phase, readiness, container state reason) for a readable timeout error. */
function describePods(pods: PodSummary[]): string {
  if (pods.length === 0) return 'no pods';
  return pods
    .map((p) => {
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '?';
      const states = (p.status?.containerStatuses ?? []).flatMap((c) =>
        Object.entries(c.state ?? {}).map(
          ([k, v]) => `${k}${v?.reason ? ` ${v.reason}` : ''}${v?.message ? `: ${v.message}` : ''}`,
        ),
      );
      return `${p.metadata?.name}: ${p.status?.phase ?? '?'} ready=${ready} ${states.join(', ')}`;
    })
    .join('; ');
}

async function getJson<T>(client: TlsClient, path: string): Promise<T> {
  const r = await kubeRequest(client, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

interface DeploymentState {
  metadata: { generation?: number };
  spec: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
  };
}

/** The rollout of the applied spec is complete: only updated pods, all of them Ready. */
export function rolledOut(d: DeploymentState): boolean {
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    s.replicas === want &&
    s.updatedReplicas === want &&
    s.readyReplicas === want
  );
}

export interface DeployTraefikOptions {
  /** Admin client of the cluster (the bootstrap client-certificate credentials). */
  kube: TlsClient;
  /** The real node's containerd socket (TESTENV_CONTAINERD_ADDRESS). */
  containerdSocket: string;
  /** The real node's IP (TESTENV_NODE_IP): published in Ingress status, where port 80 listens. */
  nodeIp: string;
  /** realNodeNamespaceAnnotations when the node is tainted (kwok nodes share the cluster). */
  namespaceAnnotations?: Record<string, string>;
  log?: (m: string) => void;
  timeoutMs?: number;
}

/** Builds and imports the image, applies the objects and waits until Traefik's pod is Ready. */
export async function deployTraefik(o: DeployTraefikOptions): Promise<void> {
  const log = o.log ?? (() => undefined);
  const t = Date.now();
  const { image, archive } = buildTraefikImage();
  importIntoContainerd(o.containerdSocket, archive);
  log(`traefik image ${image} imported in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const objects = traefikObjects({
    image,
    nodeIp: o.nodeIp,
    namespaceAnnotations: o.namespaceAnnotations ?? {},
  });
  for (const obj of objects) await applyObject(o.kube, obj);
  const ns = traefikNamespace;
  try {
    await eventually(
      'the traefik Deployment to be rolled out',
      async () =>
        rolledOut(
          await getJson<DeploymentState>(
            o.kube,
            `/apis/apps/v1/namespaces/${ns}/deployments/traefik`,
          ),
        ),
      o.timeoutMs ?? 120_000,
    );
  } catch (err) {
    const pods = await getJson<{ items: PodSummary[] }>(
      o.kube,
      `/api/v1/namespaces/${ns}/pods?labelSelector=app.kubernetes.io%2Fname%3Dtraefik`,
    ).catch(() => ({ items: [] }));
    throw new Error(`${(err as Error).message} (${describePods(pods.items)})`);
  }
  log(`traefik ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

// Pod templates of the PMS workloads (backend, worker, frontend) and what every pod template
// shares: images, env, probes, resources and security contexts. Data stores: datastore-pods.ts.
import type { PmsInstance, TEnvVar, TResources } from '../api/spec.ts';
import {
  BACKEND_PORT,
  FRONTEND_PORT,
  METRICS_PORT,
  MONGODB_PORT,
  MONGODB_REPLICA_SET,
  REDIS_PORT,
  appConfigData,
  hashOf,
} from './configmaps.ts';
import { labels, selectorLabels } from './labels.ts';
import { names, serviceHost } from './names.ts';
import { adminEmail, MONGODB_DATABASE } from './secrets.ts';
import type { Component } from './types.ts';

/** UID of the PMS images (app/backend and app/frontend Dockerfiles). */
export const APP_UID = 10001;
/** UID of the mongodb / redis users in the official images. */
export const DATA_UID = 999;

export const JWT_MOUNT = '/var/run/secrets/pms/jwt';
export const ADMIN_MOUNT = '/var/run/secrets/pms/admin';

type Json = Record<string, unknown>;

export function image(i: PmsInstance, name: 'pms-backend' | 'pms-frontend' | 'pms-backup') {
  return `${i.spec.image.registry.replace(/\/+$/, '')}/${name}:${i.spec.version}`;
}

export function podSecurityContext(uid: number): Json {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(): Json {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function resources(r: TResources | undefined): Json {
  const out: Json = {};
  if (r?.requests && Object.keys(r.requests).length > 0) out.requests = r.requests;
  if (r?.limits && Object.keys(r.limits).length > 0) out.limits = r.limits;
  return out;
}

export const httpProbe = (path: string, port: number, extra: Json = {}) => ({
  httpGet: { path, port, scheme: 'HTTP' },
  periodSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold: 3,
  ...extra,
});

export const secretEnv = (name: string, secret: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/**
 * Seconds a backend or frontend pod keeps serving after it was told to stop: endpoint removal
 * reaches kube-proxy and the ingress controller a moment after the pod starts terminating, and
 * until then they still send it requests. Without the wait a roll-out (upgrade, restore) answered
 * 502/504 through the ingress for a few seconds. Within the default 30 s grace period, which
 * leaves the process over 20 s to finish its requests after SIGTERM.
 */
export const DRAIN_SECONDS = 5;
const drainBeforeStop = { preStop: { sleep: { seconds: DRAIN_SECONDS } } };

export const tmpVolume = { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } };
export const tmpMount = { name: 'tmp', mountPath: '/tmp' };

/** Host list of the in-cluster MongoDB members. */
export function mongoMembers(i: PmsInstance): string[] {
  const sts = names.workload(i, 'mongodb');
  const headless = names.mongodbHeadless(i);
  return Array.from(
    { length: i.spec.mongodb.replicas },
    (_, n) => `${sts}-${n}.${serviceHost(i, headless)}:${MONGODB_PORT}`,
  );
}

/**
 * The in-cluster MongoDB's connection string for the application user: every member
 * (`mongodb://u:p@h0:27017,h1:27017,h2:27017/pms?authSource=pms&replicaSet=rs0` for 3), so the
 * driver finds the primary itself. The user is created in the `pms` database (the bootstrap
 * script), hence `authSource=pms`. `$(VAR)` is expanded by the kubelet from the variables of
 * `mongoCredentialEnv`, which must come first; the generated password is base64url, so it
 * needs no percent-encoding.
 */
export function mongoUri(i: PmsInstance): string {
  const rs = i.spec.mongodb.replicas === 3 ? `&replicaSet=${MONGODB_REPLICA_SET}` : '';
  const hosts = mongoMembers(i).join(',');
  return `mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@${hosts}/${MONGODB_DATABASE}?authSource=${MONGODB_DATABASE}${rs}`;
}

/** MONGODB_USERNAME / MONGODB_PASSWORD from the generated Secret (what mongoUri expands). */
export function mongoCredentialEnv(i: PmsInstance): Json[] {
  const secret = names.secret.mongodb(i);
  return [
    secretEnv('MONGODB_USERNAME', secret, 'username'),
    secretEnv('MONGODB_PASSWORD', secret, 'password'),
  ];
}

/** Data-store connection variables of backend and worker (secrets by reference only). */
function dataStoreEnv(i: PmsInstance): Json[] {
  const s = i.spec;
  const env: Json[] = [];
  if (s.mongodb.external) {
    const ref = s.mongodb.external.uriSecretRef;
    env.push(secretEnv('MONGODB_URI', ref.name, ref.key));
  } else {
    env.push(...mongoCredentialEnv(i), { name: 'MONGODB_URI', value: mongoUri(i) });
  }
  if (s.redis.enabled) {
    if (s.redis.external) {
      const ref = s.redis.external.urlSecretRef;
      env.push(secretEnv('REDIS_URL', ref.name, ref.key));
    } else {
      env.push(secretEnv('REDIS_PASSWORD', names.secret.redis(i), 'password'), {
        name: 'REDIS_URL',
        value: `redis://:$(REDIS_PASSWORD)@${serviceHost(i, names.service(i, 'redis'))}:${REDIS_PORT}/0`,
      });
    }
  }
  if (s.objectStorage.external) {
    const ref = s.objectStorage.external.credentialsSecretRef;
    env.push(
      secretEnv('S3_ACCESS_KEY', ref.name, ref.accessKeyKey),
      secretEnv('S3_SECRET_KEY', ref.name, ref.secretKeyKey),
    );
  } else {
    env.push(
      secretEnv('S3_ACCESS_KEY', names.secret.minio(i), 'access-key'),
      secretEnv('S3_SECRET_KEY', names.secret.minio(i), 'secret-key'),
    );
  }
  env.push(
    { name: 'JWT_SECRET_FILE', value: `${JWT_MOUNT}/secret` },
    { name: 'ADMIN_EMAIL', value: adminEmail(i) },
    { name: 'ADMIN_PASSWORD_FILE', value: `${ADMIN_MOUNT}/password` },
  );
  if (s.smtp?.passwordSecretRef) {
    env.push(secretEnv('SMTP_PASS', s.smtp.passwordSecretRef.name, s.smtp.passwordSecretRef.key));
  }
  return env;
}

function userEnv(env: TEnvVar[]): Json[] {
  return env.map((e) => ({ ...e }));
}

export function podMetadata(
  i: PmsInstance,
  component: Component,
  annotations: Record<string, string>,
) {
  return { labels: labels(i, component), annotations };
}

export function podSpecBase(
  i: PmsInstance,
  uid: number,
  component: Component,
  spread = true,
): Json {
  const spreadConstraints = [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selectorLabels(i, component) },
    },
  ];
  return {
    serviceAccountName: names.serviceAccount(i),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurityContext(uid),
    ...(i.spec.image.pullSecrets.length > 0
      ? { imagePullSecrets: i.spec.image.pullSecrets.map((p) => ({ name: p.name })) }
      : {}),
    ...(spread ? { topologySpreadConstraints: spreadConstraints } : {}),
  };
}

function appAnnotations(i: PmsInstance, withMetrics: boolean): Record<string, string> {
  const a: Record<string, string> = { 'pms.io/config-hash': hashOf(appConfigData(i)) };
  if (withMetrics && i.spec.monitoring.enabled) {
    a['prometheus.io/scrape'] = 'true';
    a['prometheus.io/port'] = String(METRICS_PORT);
    a['prometheus.io/path'] = '/metrics';
  }
  return a;
}

function appSecretVolumes(i: PmsInstance) {
  return {
    volumes: [
      tmpVolume,
      { name: 'jwt', secret: { secretName: names.secret.jwt(i), defaultMode: 0o440 } },
      {
        name: 'admin',
        secret: {
          secretName: names.secret.admin(i),
          defaultMode: 0o440,
          items: [{ key: 'password', path: 'password' }],
        },
      },
    ],
    mounts: [
      tmpMount,
      { name: 'jwt', mountPath: JWT_MOUNT, readOnly: true },
      { name: 'admin', mountPath: ADMIN_MOUNT, readOnly: true },
    ],
  };
}

export function backendPod(i: PmsInstance): Json {
  const v = appSecretVolumes(i);
  return {
    metadata: podMetadata(i, 'backend', appAnnotations(i, true)),
    spec: {
      ...podSpecBase(i, APP_UID, 'backend'),
      containers: [
        {
          name: 'backend',
          image: image(i, 'pms-backend'),
          imagePullPolicy: i.spec.image.pullPolicy,
          ports: [
            { name: 'http', containerPort: BACKEND_PORT, protocol: 'TCP' },
            ...(i.spec.monitoring.enabled
              ? [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }]
              : []),
          ],
          envFrom: [{ configMapRef: { name: names.config(i) } }],
          env: [
            { name: 'PORT', value: String(BACKEND_PORT) },
            ...dataStoreEnv(i),
            ...userEnv(i.spec.backend.env),
          ],
          startupProbe: httpProbe('/health', BACKEND_PORT, {
            failureThreshold: 30,
            periodSeconds: 2,
          }),
          livenessProbe: httpProbe('/health', BACKEND_PORT),
          readinessProbe: httpProbe('/ready', BACKEND_PORT, { periodSeconds: 5 }),
          lifecycle: drainBeforeStop,
          resources: resources(i.spec.backend.resources),
          securityContext: containerSecurityContext(),
          volumeMounts: v.mounts,
        },
      ],
      volumes: v.volumes,
    },
  };
}

export function workerPod(i: PmsInstance): Json {
  const v = appSecretVolumes(i);
  return {
    metadata: podMetadata(i, 'worker', appAnnotations(i, false)),
    spec: {
      ...podSpecBase(i, APP_UID, 'worker'),
      containers: [
        {
          name: 'worker',
          image: image(i, 'pms-backend'),
          imagePullPolicy: i.spec.image.pullPolicy,
          // The backend image has no ENTRYPOINT (node is PID 1), so args replace its CMD: the
          // worker is the same build, another main.
          args: ['node', 'dist/worker.js'],
          envFrom: [{ configMapRef: { name: names.config(i) } }],
          env: [...dataStoreEnv(i), ...userEnv(i.spec.worker.env)],
          // The worker serves no HTTP: liveness is "the process still runs node".
          livenessProbe: {
            exec: { command: ['node', '-e', 'process.exit(0)'] },
            periodSeconds: 30,
            timeoutSeconds: 10,
            failureThreshold: 3,
          },
          resources: resources(i.spec.worker.resources),
          securityContext: containerSecurityContext(),
          volumeMounts: v.mounts,
        },
      ],
      volumes: v.volumes,
    },
  };
}

export function frontendPod(i: PmsInstance): Json {
  return {
    metadata: podMetadata(i, 'frontend', {}),
    spec: {
      ...podSpecBase(i, APP_UID, 'frontend'),
      containers: [
        {
          name: 'frontend',
          image: image(i, 'pms-frontend'),
          imagePullPolicy: i.spec.image.pullPolicy,
          ports: [{ name: 'http', containerPort: FRONTEND_PORT, protocol: 'TCP' }],
          env: [
            { name: 'NODE_ENV', value: 'production' },
            { name: 'PORT', value: String(FRONTEND_PORT) },
            { name: 'HOSTNAME', value: '0.0.0.0' },
            {
              name: 'BACKEND_URL',
              value: `http://${serviceHost(i, names.service(i, 'backend'))}:${BACKEND_PORT}`,
            },
            { name: 'FRONTEND_URL', value: appConfigData(i).FRONTEND_URL },
            ...userEnv(i.spec.frontend.env),
          ],
          startupProbe: httpProbe('/api/health', FRONTEND_PORT, {
            failureThreshold: 30,
            periodSeconds: 2,
          }),
          livenessProbe: httpProbe('/api/health', FRONTEND_PORT),
          readinessProbe: httpProbe('/api/health', FRONTEND_PORT, { periodSeconds: 5 }),
          lifecycle: drainBeforeStop,
          resources: resources(i.spec.frontend.resources),
          securityContext: containerSecurityContext(),
          volumeMounts: [tmpMount, { name: 'next-cache', mountPath: '/app/.next/cache' }],
        },
      ],
      volumes: [tmpVolume, { name: 'next-cache', emptyDir: { sizeLimit: '512Mi' } }],
    },
  };
}

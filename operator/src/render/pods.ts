// Pod templates of every workload: images, env, probes, resources and security contexts.
import type { PmsInstance, TEnvVar, TResources } from '../api/spec.ts';
import {
  BACKEND_PORT,
  FRONTEND_PORT,
  MINIO_BUCKET,
  MINIO_PORT,
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

export const REDIS_IMAGE = 'redis:7-alpine';
export const MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';
export const MC_IMAGE = 'minio/mc:RELEASE.2025-04-16T18-13-26Z';
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

const httpProbe = (path: string, port: number, extra: Json = {}) => ({
  httpGet: { path, port, scheme: 'HTTP' },
  periodSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold: 3,
  ...extra,
});

const secretEnv = (name: string, secret: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

const tmpVolume = { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } };
const tmpMount = { name: 'tmp', mountPath: '/tmp' };

/** Host list of the in-cluster MongoDB members. */
export function mongoMembers(i: PmsInstance): string[] {
  const sts = names.workload(i, 'mongodb');
  const headless = names.mongodbHeadless(i);
  return Array.from(
    { length: i.spec.mongodb.replicas },
    (_, n) => `${sts}-${n}.${serviceHost(i, headless)}:${MONGODB_PORT}`,
  );
}

/** Data-store connection variables of backend and worker (secrets by reference only). */
function dataStoreEnv(i: PmsInstance): Json[] {
  const s = i.spec;
  const env: Json[] = [];
  if (s.mongodb.external) {
    const ref = s.mongodb.external.uriSecretRef;
    env.push(secretEnv('MONGODB_URI', ref.name, ref.key));
  } else {
    const secret = names.secret.mongodb(i);
    const rs = s.mongodb.replicas === 3 ? `&replicaSet=${MONGODB_REPLICA_SET}` : '';
    env.push(
      secretEnv('MONGODB_USERNAME', secret, 'username'),
      secretEnv('MONGODB_PASSWORD', secret, 'password'),
      {
        name: 'MONGODB_URI',
        value: `mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@${mongoMembers(i).join(',')}/${MONGODB_DATABASE}?authSource=${MONGODB_DATABASE}${rs}`,
      },
    );
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

function podMetadata(i: PmsInstance, component: Component, annotations: Record<string, string>) {
  return { labels: labels(i, component), annotations };
}

function podSpecBase(i: PmsInstance, uid: number, component: Component, spread = true): Json {
  const spreadConstraints = [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selectorLabels(i, component) },
    },
  ];
  return {
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
    a['prometheus.io/port'] = String(BACKEND_PORT);
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
          ports: [{ name: 'http', containerPort: BACKEND_PORT, protocol: 'TCP' }],
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
          // The backend image's entrypoint is tini; the worker is the same build, another main.
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
          resources: resources(i.spec.frontend.resources),
          securityContext: containerSecurityContext(),
          volumeMounts: [tmpMount, { name: 'next-cache', mountPath: '/app/.next/cache' }],
        },
      ],
      volumes: [tmpVolume, { name: 'next-cache', emptyDir: { sizeLimit: '512Mi' } }],
    },
  };
}

export function mongodbPod(i: PmsInstance): Json {
  const m = i.spec.mongodb;
  const secret = names.secret.mongodb(i);
  const rootEnv = [
    secretEnv('MONGO_INITDB_ROOT_USERNAME', secret, 'root-username'),
    secretEnv('MONGO_INITDB_ROOT_PASSWORD', secret, 'root-password'),
  ];
  const rsArgs =
    m.replicas === 3
      ? ['--replSet', MONGODB_REPLICA_SET, '--keyFile', '/etc/mongo-keyfile/keyfile']
      : [];
  const mongoImage = `mongo:${m.version}`;
  const ping = {
    exec: { command: ['mongosh', '--quiet', '--eval', 'db.adminCommand({ ping: 1 }).ok'] },
    timeoutSeconds: 5,
  };
  return {
    metadata: podMetadata(i, 'mongodb', {}),
    spec: {
      ...podSpecBase(i, DATA_UID, 'mongodb'),
      terminationGracePeriodSeconds: 30,
      initContainers: [
        {
          // mongod refuses a key file readable by group/others: copy it with mode 0400.
          name: 'keyfile',
          image: mongoImage,
          imagePullPolicy: 'IfNotPresent',
          command: [
            'sh',
            '-c',
            'cp /etc/mongo-keyfile-secret/keyfile /etc/mongo-keyfile/keyfile && chmod 0400 /etc/mongo-keyfile/keyfile',
          ],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
          securityContext: containerSecurityContext(),
          volumeMounts: [
            { name: 'keyfile-secret', mountPath: '/etc/mongo-keyfile-secret', readOnly: true },
            { name: 'keyfile', mountPath: '/etc/mongo-keyfile' },
          ],
        },
      ],
      containers: [
        {
          name: 'mongodb',
          image: mongoImage,
          imagePullPolicy: 'IfNotPresent',
          args: ['mongod', '--bind_ip_all', '--port', String(MONGODB_PORT), ...rsArgs],
          ports: [{ name: 'mongodb', containerPort: MONGODB_PORT, protocol: 'TCP' }],
          env: rootEnv,
          startupProbe: { ...ping, periodSeconds: 5, failureThreshold: 60 },
          livenessProbe: { ...ping, periodSeconds: 20, failureThreshold: 6 },
          readinessProbe: { ...ping, periodSeconds: 10, failureThreshold: 3 },
          resources: resources(m.resources),
          securityContext: containerSecurityContext(),
          volumeMounts: [
            { name: 'data', mountPath: '/data/db' },
            { name: 'configdb', mountPath: '/data/configdb' },
            tmpMount,
            { name: 'keyfile', mountPath: '/etc/mongo-keyfile', readOnly: true },
          ],
        },
        {
          name: 'bootstrap',
          image: mongoImage,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '/scripts/bootstrap.sh'],
          env: [
            ...rootEnv,
            secretEnv('MONGODB_USERNAME', secret, 'username'),
            secretEnv('MONGODB_PASSWORD', secret, 'password'),
            { name: 'MONGODB_DATABASE', value: MONGODB_DATABASE },
            { name: 'MONGODB_REPLICAS', value: String(m.replicas) },
            { name: 'MONGODB_REPLICA_SET', value: MONGODB_REPLICA_SET },
            { name: 'MONGODB_MEMBERS', value: mongoMembers(i).join(',') },
          ],
          resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          securityContext: containerSecurityContext(),
          volumeMounts: [
            { name: 'scripts', mountPath: '/scripts', readOnly: true },
            { name: 'bootstrap-home', mountPath: '/home/mongodb' },
            tmpMount,
          ],
        },
      ],
      volumes: [
        tmpVolume,
        { name: 'configdb', emptyDir: {} },
        { name: 'keyfile', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
        { name: 'bootstrap-home', emptyDir: { sizeLimit: '16Mi' } },
        {
          name: 'keyfile-secret',
          secret: {
            secretName: secret,
            defaultMode: 0o440,
            items: [{ key: 'keyfile', path: 'keyfile' }],
          },
        },
        { name: 'scripts', configMap: { name: names.mongodbScripts(i), defaultMode: 0o555 } },
      ],
    },
  };
}

export function redisPod(i: PmsInstance): Json {
  const ping = {
    exec: {
      command: ['sh', '-c', 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG'],
    },
    periodSeconds: 10,
    timeoutSeconds: 3,
  };
  return {
    metadata: podMetadata(i, 'redis', {}),
    spec: {
      ...podSpecBase(i, DATA_UID, 'redis'),
      containers: [
        {
          name: 'redis',
          image: REDIS_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: [
            'sh',
            '-c',
            'exec redis-server --requirepass "$REDIS_PASSWORD" --dir /data --appendonly no',
          ],
          ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
          env: [secretEnv('REDIS_PASSWORD', names.secret.redis(i), 'password')],
          livenessProbe: { ...ping, failureThreshold: 6 },
          readinessProbe: { ...ping, failureThreshold: 3 },
          resources: resources(i.spec.redis.resources),
          securityContext: containerSecurityContext(),
          volumeMounts: [{ name: 'data', mountPath: '/data' }, tmpMount],
        },
      ],
      volumes: [tmpVolume, { name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
    },
  };
}

export function minioPod(i: PmsInstance): Json {
  const secret = names.secret.minio(i);
  return {
    metadata: podMetadata(i, 'minio', {}),
    spec: {
      ...podSpecBase(i, APP_UID, 'minio'),
      containers: [
        {
          name: 'minio',
          image: MINIO_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          args: ['server', '/data', '--address', `:${MINIO_PORT}`],
          ports: [{ name: 's3', containerPort: MINIO_PORT, protocol: 'TCP' }],
          env: [
            secretEnv('MINIO_ROOT_USER', secret, 'access-key'),
            secretEnv('MINIO_ROOT_PASSWORD', secret, 'secret-key'),
            { name: 'MINIO_BROWSER', value: 'off' },
            { name: 'HOME', value: '/tmp' },
          ],
          livenessProbe: httpProbe('/minio/health/live', MINIO_PORT, { periodSeconds: 20 }),
          readinessProbe: httpProbe('/minio/health/ready', MINIO_PORT),
          resources: resources(i.spec.objectStorage.resources),
          securityContext: containerSecurityContext(),
          volumeMounts: [{ name: 'data', mountPath: '/data' }, tmpMount],
        },
      ],
      volumes: [tmpVolume],
    },
  };
}

/** The bucket Job's pod: no version label, since a Job's template is immutable. */
export function minioBucketPod(i: PmsInstance): Json {
  const secret = names.secret.minio(i);
  const endpoint = `http://${serviceHost(i, names.service(i, 'minio'))}:${MINIO_PORT}`;
  return {
    metadata: { labels: selectorLabels(i, 'minio') },
    spec: {
      ...podSpecBase(i, APP_UID, 'minio', false),
      restartPolicy: 'OnFailure',
      containers: [
        {
          name: 'create-bucket',
          image: MC_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: [
            'sh',
            '-c',
            'until mc alias set pms "$S3_ENDPOINT" "$S3_ACCESS_KEY" "$S3_SECRET_KEY"; do sleep 2; done && mc mb --ignore-existing "pms/$S3_BUCKET"',
          ],
          env: [
            { name: 'S3_ENDPOINT', value: endpoint },
            { name: 'S3_BUCKET', value: MINIO_BUCKET },
            secretEnv('S3_ACCESS_KEY', secret, 'access-key'),
            secretEnv('S3_SECRET_KEY', secret, 'secret-key'),
            { name: 'MC_CONFIG_DIR', value: '/tmp/.mc' },
          ],
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
          securityContext: containerSecurityContext(),
          volumeMounts: [tmpMount],
        },
      ],
      volumes: [tmpVolume],
    },
  };
}

// Pod templates of the in-cluster data stores: MongoDB (standalone or replica set), Redis and
// MinIO. Their images come from the spec (api/spec.ts holds the defaults). The bucket Job's pod
// is in jobs.ts.
import type { PmsInstance } from '../api/spec.ts';
import { MINIO_PORT, MONGODB_PORT, MONGODB_REPLICA_SET, REDIS_PORT } from './configmaps.ts';
import { names } from './names.ts';
import {
  APP_UID,
  DATA_UID,
  containerSecurityContext,
  httpProbe,
  mongoMembers,
  podMetadata,
  podSpecBase,
  resources,
  secretEnv,
  tmpMount,
  tmpVolume,
} from './pods.ts';
import { MONGODB_DATABASE } from './secrets.ts';

type Json = Record<string, unknown>;

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
  const mongoImage = m.image ?? `mongo:${m.version}`;
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
          image: i.spec.redis.image,
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
          image: i.spec.objectStorage.image,
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

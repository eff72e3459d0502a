// ConfigMaps: the application's non-secret environment, and MongoDB's bootstrap script.
import { createHash } from 'node:crypto';
import type { PmsInstance } from '../api/spec.ts';
import { objectMeta } from './labels.ts';
import { instanceUrl, names, serviceHost } from './names.ts';
import { MONGODB_DATABASE } from './secrets.ts';
import type { Child } from './types.ts';

export const BACKEND_PORT = 4000;
export const FRONTEND_PORT = 3000;
export const MONGODB_PORT = 27017;
export const REDIS_PORT = 6379;
export const MINIO_PORT = 9000;
/**
 * The backend's own /metrics listener (its METRICS_PORT) when monitoring is enabled: a port of
 * its own lets the NetworkPolicy open metrics to the monitoring namespace without opening the
 * API, and keeps /metrics off the API port that the ingress serves.
 */
export const METRICS_PORT = 9464;
export const MONGODB_REPLICA_SET = 'rs0';
/** The attachments bucket created in the in-cluster MinIO. */
export const MINIO_BUCKET = 'pms-attachments';

const bool = (b: boolean) => (b ? 'true' : 'false');

/** The environment shared by backend and worker (names from the design; see app/backend). */
export function appConfigData(i: PmsInstance): Record<string, string> {
  const s = i.spec;
  const url = instanceUrl(i);
  const data: Record<string, string> = {
    NODE_ENV: 'production',
    TZ: 'UTC',
    LOG_LEVEL: 'info',
    FRONTEND_URL: url,
    BACKEND_URL: `http://${serviceHost(i, names.service(i, 'backend'))}:${BACKEND_PORT}`,
    CORS_ORIGINS: url,
    MONGODB_DB: s.mongodb.external ? '' : MONGODB_DATABASE,
    ENABLE_REGISTRATION: bool(s.features.registration),
    ENABLE_FILE_UPLOAD: bool(s.features.fileUpload),
    // The job queue carries webhook deliveries as well as e-mails, so it runs without SMTP too
    // (the worker then logs and drops e-mails; invitations show the admin a link to copy).
    ENABLE_NOTIFICATIONS: bool(s.features.notifications),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: bool(s.webhooks.allowPrivateTargets),
    WEBHOOK_ALLOWED_CIDRS: s.webhooks.allowedCIDRs.join(','),
    MAINTENANCE_MODE: bool(s.maintenance),
    ENABLE_METRICS: bool(s.monitoring.enabled),
    // The backend is reached only through one proxy: the ingress controller (for /api) or the
    // frontend's gateway, and its NetworkPolicy admits no one else. Trusting exactly that hop
    // gives the client address the proxy saw (the last X-Forwarded-For entry; what a client
    // puts in front cannot move it), so per-IP login budgets are per client, not shared by
    // everyone behind the ingress, and Secure cookies follow the proxy's X-Forwarded-Proto.
    TRUST_PROXY: '1',
  };
  if (s.monitoring.enabled) data.METRICS_PORT = String(METRICS_PORT);
  if (data.MONGODB_DB === '') delete data.MONGODB_DB;
  const ext = s.objectStorage.external;
  if (ext) {
    data.S3_ENDPOINT = ext.endpoint;
    data.S3_REGION = ext.region;
    data.S3_BUCKET = ext.bucket;
    data.S3_USE_PATH_STYLE = bool(ext.usePathStyle);
  } else {
    data.S3_ENDPOINT = `http://${serviceHost(i, names.service(i, 'minio'))}:${MINIO_PORT}`;
    data.S3_REGION = 'us-east-1';
    data.S3_BUCKET = MINIO_BUCKET;
    data.S3_USE_PATH_STYLE = 'true';
  }
  if (s.smtp) {
    data.SMTP_HOST = s.smtp.host;
    data.SMTP_PORT = String(s.smtp.port);
    data.SMTP_SECURE = bool(s.smtp.secure);
    data.EMAIL_FROM = s.smtp.from;
    if (s.smtp.user !== undefined) data.SMTP_USER = s.smtp.user;
  }
  return data;
}

export function renderAppConfigMap(i: PmsInstance): Child {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta(i, names.config(i), 'backend'),
    data: appConfigData(i),
  };
}

/** A short stable hash, used in pod annotations so that a config change rolls the pods. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * Runs beside mongod in every pod: pod 0 initiates the replica set (when replicas is 3) and
 * creates the application user, then the container idles. Idempotent on every restart.
 */
export const MONGODB_BOOTSTRAP = `#!/bin/sh
set -eu
ordinal="\${HOSTNAME##*-}"
m() {
  mongosh --quiet --host 127.0.0.1 --username "$MONGO_INITDB_ROOT_USERNAME" \\
    --password "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin --eval "$1"
}
until m 'db.adminCommand({ ping: 1 }).ok' >/dev/null 2>&1; do sleep 2; done
if [ "$ordinal" = "0" ]; then
  if [ "$MONGODB_REPLICAS" = "3" ]; then
    m 'try { rs.status() } catch (e) { if (e.codeName !== "NotYetInitialized") throw e; rs.initiate({ _id: process.env.MONGODB_REPLICA_SET, members: process.env.MONGODB_MEMBERS.split(",").map((host, i) => ({ _id: i, host })) }) }'
    until m 'db.hello().isWritablePrimary' | grep -q true; do sleep 2; done
  fi
  m 'const d = db.getSiblingDB(process.env.MONGODB_DATABASE); if (!d.getUser(process.env.MONGODB_USERNAME)) d.createUser({ user: process.env.MONGODB_USERNAME, pwd: process.env.MONGODB_PASSWORD, roles: [{ role: "readWrite", db: process.env.MONGODB_DATABASE }] })'
fi
echo "bootstrap done"
exec sleep infinity
`;

export function renderMongoScriptsConfigMap(i: PmsInstance): Child {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta(i, names.mongodbScripts(i), 'mongodb'),
    data: { 'bootstrap.sh': MONGODB_BOOTSTRAP },
  };
}

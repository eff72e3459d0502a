// The pms-backup container shared by the backup CronJob, PmsBackup Jobs and PmsRestore Jobs:
// the image <registry>/pms-backup:<version>, configuration in env only, every credential a
// secretKeyRef (never a value, never an argument), a non-root read-only-root container.
// The program and its variables: app/backup/README.md.
import type { TBackupDestination } from '../api/backup.ts';
import type { PmsInstance } from '../api/spec.ts';
import { appConfigData } from './configmaps.ts';
import { labels } from './labels.ts';
import { names } from './names.ts';
import {
  containerSecurityContext,
  image,
  mongoCredentialEnv,
  mongoUri,
  podSecurityContext,
} from './pods.ts';
import { MONGODB_DATABASE } from './secrets.ts';

/** UID of the pms-backup image (app/backup/Dockerfile). */
export const BACKUP_UID = 10001;
/** Key prefix of backups when the destination does not name one. */
export const DEFAULT_BACKUP_PREFIX = 'backups/';
/** Upper bound of one backup or restore run. */
export const BACKUP_DEADLINE_SECONDS = 6 * 3600;

type Json = Record<string, unknown>;

const secretEnv = (name: string, secret: string, key: string): Json => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});
const value = (name: string, v: string): Json => ({ name, value: v });

/**
 * The destination a run uses: `override` (a PmsBackup/PmsRestore's own), else the instance's
 * spec.backup.destination (whose extra fields, endpoint and credentials, are read when the
 * instance schema has them), else the attachments bucket under `backups/`.
 */
export function resolveDestination(
  i: PmsInstance,
  override?: TBackupDestination,
): TBackupDestination & { bucket: string; prefix: string } {
  const fromInstance = (i.spec.backup.destination ?? {}) as TBackupDestination;
  const d = override ?? fromInstance;
  const attachmentsBucket = appConfigData(i).S3_BUCKET ?? '';
  return { ...d, bucket: d.bucket ?? attachmentsBucket, prefix: d.prefix ?? DEFAULT_BACKUP_PREFIX };
}

/** MongoDB connection of the instance (same users and hosts as the backend). */
function mongoEnv(i: PmsInstance): Json[] {
  const m = i.spec.mongodb;
  if (m.external)
    return [secretEnv('MONGODB_URI', m.external.uriSecretRef.name, m.external.uriSecretRef.key)];
  // $(VAR) in the URI is expanded by the kubelet from the two credential variables before it.
  return [
    ...mongoCredentialEnv(i),
    value('MONGODB_URI', mongoUri(i)),
    value('MONGODB_DB', MONGODB_DATABASE),
  ];
}

/** The attachments bucket (the app's own S3 variables). */
function attachmentsEnv(i: PmsInstance): Json[] {
  const cfg = appConfigData(i);
  const ext = i.spec.objectStorage.external;
  const creds = ext
    ? [
        secretEnv(
          'S3_ACCESS_KEY',
          ext.credentialsSecretRef.name,
          ext.credentialsSecretRef.accessKeyKey,
        ),
        secretEnv(
          'S3_SECRET_KEY',
          ext.credentialsSecretRef.name,
          ext.credentialsSecretRef.secretKeyKey,
        ),
      ]
    : [
        secretEnv('S3_ACCESS_KEY', names.secret.minio(i), 'access-key'),
        secretEnv('S3_SECRET_KEY', names.secret.minio(i), 'secret-key'),
      ];
  return [
    value('S3_ENDPOINT', cfg.S3_ENDPOINT ?? ''),
    value('S3_REGION', cfg.S3_REGION ?? 'us-east-1'),
    value('S3_BUCKET', cfg.S3_BUCKET ?? ''),
    value('S3_USE_PATH_STYLE', cfg.S3_USE_PATH_STYLE ?? 'true'),
    ...creds,
  ];
}

function destinationEnv(d: TBackupDestination & { bucket: string; prefix: string }): Json[] {
  const env = [value('BACKUP_S3_BUCKET', d.bucket), value('BACKUP_S3_PREFIX', d.prefix)];
  if (d.endpoint && d.credentialsSecretRef) {
    const ref = d.credentialsSecretRef;
    env.push(
      value('BACKUP_S3_ENDPOINT', d.endpoint),
      value('BACKUP_S3_REGION', d.region ?? 'us-east-1'),
      value('BACKUP_S3_USE_PATH_STYLE', String(d.usePathStyle ?? true)),
      secretEnv('BACKUP_S3_ACCESS_KEY', ref.name, ref.accessKeyKey ?? 'access-key'),
      secretEnv('BACKUP_S3_SECRET_KEY', ref.name, ref.secretKeyKey ?? 'secret-key'),
    );
  }
  return env;
}

export interface BackupPodOptions {
  /** The pms-backup command line, e.g. ['backup'] or ['restore', '<key>']: never secrets. */
  args: string[];
  destination: TBackupDestination & { bucket: string; prefix: string };
  /** Extra plain variables (KEEP_LAST...). */
  env?: Record<string, string>;
  /** Default: requests 100m / 256Mi, limit 1Gi (a dump streams through the process). */
  resources?: Json;
  /** Default `Never`: a failed run is a new pod the Job counts (backoffLimit). */
  restartPolicy?: 'Never' | 'OnFailure';
}

/**
 * The pod spec running pms-backup for instance `i`: every variable pms-backup reads (its
 * configuration is parsed as a whole, whatever the command), its image and UID, and the same
 * restricted security context for every command.
 */
export function backupPodSpec(i: PmsInstance, opts: BackupPodOptions): Json {
  return {
    restartPolicy: opts.restartPolicy ?? 'Never',
    serviceAccountName: names.serviceAccount(i),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurityContext(BACKUP_UID),
    ...(i.spec.image.pullSecrets.length > 0
      ? { imagePullSecrets: i.spec.image.pullSecrets.map((p) => ({ name: p.name })) }
      : {}),
    containers: [
      {
        name: 'pms-backup',
        image: image(i, 'pms-backup'),
        imagePullPolicy: i.spec.image.pullPolicy,
        args: opts.args,
        env: [
          value('INSTANCE', i.metadata.name),
          value('APP_VERSION', i.spec.version),
          value('NODE_ENV', 'production'),
          value('TZ', 'UTC'),
          value('LOG_LEVEL', 'info'),
          // The JSON result (key, size, checksum, or the error) becomes the pod's
          // termination message, which the PmsBackup/PmsRestore status reports.
          value('RESULT_FILE', '/dev/termination-log'),
          ...mongoEnv(i),
          ...attachmentsEnv(i),
          ...destinationEnv(opts.destination),
          ...Object.entries(opts.env ?? {}).map(([k, v]) => value(k, v)),
        ],
        terminationMessagePolicy: 'FallbackToLogsOnError',
        resources: opts.resources ?? {
          requests: { cpu: '100m', memory: '256Mi' },
          limits: { memory: '1Gi' },
        },
        securityContext: containerSecurityContext(),
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      },
    ],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
  };
}

/** A Job pod template running pms-backup for instance `i`. */
export function backupPodTemplate(i: PmsInstance, opts: BackupPodOptions): Json {
  return { metadata: { labels: labels(i, 'backup') }, spec: backupPodSpec(i, opts) };
}

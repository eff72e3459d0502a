// The backup CronJob, PmsBackup Job and PmsRestore Job as rendered: schedule and limits,
// security context, credentials only from Secrets (never values, never arguments), and an
// environment that the pms-backup program itself accepts (the contract between the two).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '../../app/backup/src/config.ts';
import { parseInstance, type PmsInstance } from '../src/api/spec.ts';
import { renderBackupCronJob } from '../src/render/backup-cronjob.ts';
import { backupObjectKey, renderBackupJob } from '../src/render/backup-job.ts';
import type { PmsBackup, PmsRestore } from '../src/api/backup.ts';
import { jobNameFor } from '../src/render/backup-resources.ts';
import { renderRestoreJob } from '../src/render/restore-job.ts';
import { renderSecrets } from '../src/render/secrets.ts';
import type { Child } from '../src/render/types.ts';

type Json = Record<string, unknown>;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

function inst(spec: Json = {}, name = 'acme'): PmsInstance {
  return parseInstance({
    metadata: { name, namespace: 'tenant-a', uid: 'uid-1', generation: 1 },
    spec: { version: '1.4.2', host: 'acme.example.com', ...spec },
  });
}

const backupSpec = { enabled: true, schedule: '0 3 * * *', retention: { keepLast: 5 } };

function backup(spec: Partial<PmsBackup['spec']> = {}): PmsBackup {
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsBackup',
    metadata: { name: 'acme-manual', namespace: 'tenant-a', uid: 'bk-uid' },
    spec: { instanceRef: { name: 'acme' }, ...spec },
  };
}

function restore(): PmsRestore {
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsRestore',
    metadata: { name: 'acme-restore', namespace: 'tenant-a', uid: 'rs-uid' },
    spec: { instanceRef: { name: 'acme' }, source: { backupRef: { name: 'acme-manual' } } },
  };
}

const podSpec = (o: Child): Json => {
  const spec = o.spec as Json;
  const template = (
    o.kind === 'CronJob' ? ((spec.jobTemplate as Json).spec as Json).template : spec.template
  ) as Json;
  return template.spec as Json;
};
const container = (o: Child) => (podSpec(o).containers as Json[])[0] as Json;
const envOf = (o: Child) => container(o).env as EnvVar[];
const envMap = (o: Child) => new Map(envOf(o).map((e) => [e.name, e]));

/** Credentials every pms-backup pod needs, by variable name. */
const SECRET_NAMES = /(PASSWORD|SECRET|ACCESS_KEY|USERNAME)/;

/** Every Secret value the instance would generate (deterministic source), to search for. */
function secretValues(i: PmsInstance): string[] {
  let n = 0;
  const random = (len: number) => Uint8Array.from({ length: len }, () => (n++ * 37) % 256);
  return renderSecrets(i, random).flatMap((s) =>
    Object.values((s.data ?? {}) as Record<string, string>)
      .map((b64) => Buffer.from(b64, 'base64').toString('utf8'))
      .filter((v) => v.length >= 16),
  );
}

function assertSecure(o: Child, i: PmsInstance): void {
  const pod = podSpec(o);
  assert.equal(pod.restartPolicy, 'Never');
  assert.equal(pod.automountServiceAccountToken, false);
  assert.deepEqual(pod.securityContext, {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  const c = container(o);
  assert.deepEqual(c.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.equal(c.image, 'ghcr.io/pms/pms-backup:1.4.2');
  // Credentials come from Secrets only.
  for (const e of envOf(o)) {
    if (SECRET_NAMES.test(e.name)) {
      assert.ok(e.valueFrom?.secretKeyRef, `${e.name} must come from a Secret`);
      assert.equal(e.value, undefined, `${e.name} has a literal value`);
    }
  }
  const uri = envMap(o).get('MONGODB_URI');
  assert.ok(uri?.valueFrom?.secretKeyRef || uri?.value?.includes('$(MONGODB_PASSWORD)'));
  // No generated secret appears anywhere in the object, and args carry no credentials.
  const text = JSON.stringify(o);
  for (const s of secretValues(i)) assert.ok(!text.includes(s), 'a secret value is in the spec');
  for (const a of c.args as string[]) {
    assert.doesNotMatch(a, /password|secret|mongodb:\/\/|@/i);
  }
}

/** What the kubelet does: resolve secretKeyRefs and $(VAR) references, in order. */
function kubeletEnv(
  o: Child,
  secrets: Record<string, Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of envOf(o)) {
    if (e.valueFrom?.secretKeyRef) {
      const { name, key } = e.valueFrom.secretKeyRef;
      const v = secrets[name]?.[key];
      assert.ok(v !== undefined, `Secret ${name}/${key} is missing`);
      env[e.name] = v;
    } else {
      env[e.name] = (e.value ?? '').replace(
        /\$\(([A-Z_]+)\)/g,
        (_, n: string) => env[n] ?? `$(${n})`,
      );
    }
  }
  return env;
}

describe('backup CronJob', () => {
  it('is absent unless spec.backup.enabled', () => {
    assert.deepEqual(renderBackupCronJob(inst()), []);
    assert.deepEqual(
      renderBackupCronJob(inst({ backup: { enabled: false, schedule: '@daily' } })),
      [],
    );
  });

  it('runs pms-backup on the schedule, one at a time, with limits and deadlines', () => {
    const i = inst({ backup: backupSpec });
    const [cj] = renderBackupCronJob(i);
    assert.ok(cj);
    assert.equal(cj.kind, 'CronJob');
    assert.equal(cj.metadata.name, 'acme-backup');
    assert.equal(cj.metadata.labels['app.kubernetes.io/component'], 'backup');
    assert.equal(cj.metadata.labels['app.kubernetes.io/version'], '1.4.2');
    assert.deepEqual(
      cj.metadata.ownerReferences.map((r) => [r.kind, r.name, r.controller]),
      [['PmsInstance', 'acme', true]],
    );
    const spec = cj.spec as Json;
    assert.equal(spec.schedule, '0 3 * * *');
    assert.equal(spec.timeZone, 'Etc/UTC');
    assert.equal(spec.concurrencyPolicy, 'Forbid');
    assert.equal(spec.startingDeadlineSeconds, 3600);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 3);
    const job = (spec.jobTemplate as Json).spec as Json;
    assert.equal(job.backoffLimit, 2);
    assert.equal(job.activeDeadlineSeconds, 21600);
    assert.deepEqual(container(cj).args, ['backup']);
    assert.equal(envMap(cj).get('KEEP_LAST')?.value, '5');
    assert.equal(envMap(cj).get('RESULT_FILE')?.value, '/dev/termination-log');
    assert.equal(container(cj).terminationMessagePolicy, 'FallbackToLogsOnError');
    // Pod labels select it into the instance's backup NetworkPolicy.
    const tmplLabels = (((job.template as Json).metadata as Json).labels ?? {}) as Json;
    assert.equal(tmplLabels['app.kubernetes.io/component'], 'backup');
    assert.equal(tmplLabels['app.kubernetes.io/instance'], 'acme');
    assertSecure(cj, i);
  });

  it('by default stores backups in the instance MinIO bucket under backups/', () => {
    const [cj] = renderBackupCronJob(inst({ backup: backupSpec }));
    assert.ok(cj);
    const env = envMap(cj);
    assert.equal(env.get('S3_BUCKET')?.value, 'pms-attachments');
    assert.equal(env.get('BACKUP_S3_BUCKET')?.value, 'pms-attachments');
    assert.equal(env.get('BACKUP_S3_PREFIX')?.value, 'backups/');
    assert.equal(env.has('BACKUP_S3_ENDPOINT'), false);
    assert.deepEqual(env.get('S3_SECRET_KEY')?.valueFrom?.secretKeyRef, {
      name: 'acme-minio',
      key: 'secret-key',
    });
    assert.equal(env.get('S3_ENDPOINT')?.value, 'http://acme-minio.tenant-a.svc:9000');
  });

  it('its environment is accepted by pms-backup once the kubelet resolves it', () => {
    const i = inst({ backup: backupSpec });
    const [cj] = renderBackupCronJob(i);
    assert.ok(cj);
    const secrets = Object.fromEntries(
      renderSecrets(i, (n) => new Uint8Array(randomBytes(n))).map((s) => [
        s.metadata.name,
        Object.fromEntries(
          Object.entries((s.data ?? {}) as Record<string, string>).map(([k, v]) => [
            k,
            Buffer.from(v, 'base64').toString('utf8'),
          ]),
        ),
      ]),
    );
    const env = kubeletEnv(cj, secrets);
    const cfg = loadConfig(env);
    assert.equal(cfg.instance, 'acme');
    assert.equal(cfg.mongodbDb, 'pms');
    assert.equal(cfg.base, 'backups/acme');
    assert.equal(cfg.sameBucket, true);
    assert.equal(cfg.keepLast, 5);
    assert.equal(cfg.appVersion, '1.4.2');
    assert.match(
      cfg.mongodbUri,
      /^mongodb:\/\/pms:[^$]+@acme-mongodb-0\.acme-mongodb-headless\.tenant-a\.svc:27017\/pms\?authSource=pms$/,
    );
    assert.equal(cfg.destination.secretKey, secrets['acme-minio']?.['secret-key']);
  });

  it('uses the external MongoDB and object storage Secrets', () => {
    const i = inst({
      backup: { ...backupSpec, destination: { bucket: 'acme-backups', prefix: 'pms/' } },
      mongodb: { external: { uriSecretRef: { name: 'mongo-conn', key: 'uri' } } },
      objectStorage: {
        external: {
          endpoint: 'https://s3.example.com',
          bucket: 'acme-files',
          credentialsSecretRef: { name: 'acme-s3' },
        },
      },
    });
    const [cj] = renderBackupCronJob(i);
    assert.ok(cj);
    const env = envMap(cj);
    assert.deepEqual(env.get('MONGODB_URI')?.valueFrom?.secretKeyRef, {
      name: 'mongo-conn',
      key: 'uri',
    });
    assert.equal(env.has('MONGODB_PASSWORD'), false);
    assert.deepEqual(env.get('S3_ACCESS_KEY')?.valueFrom?.secretKeyRef, {
      name: 'acme-s3',
      key: 'access-key',
    });
    assert.equal(env.get('S3_ENDPOINT')?.value, 'https://s3.example.com');
    assert.equal(env.get('BACKUP_S3_BUCKET')?.value, 'acme-backups');
    assert.equal(env.get('BACKUP_S3_PREFIX')?.value, 'pms/');
    assertSecure(cj, i);
  });
});

describe('PmsBackup Job', () => {
  const i = inst();

  it('backs up with a fixed timestamp, owned by the PmsBackup', () => {
    const job = renderBackupJob(i, backup(), '20261125T030000000Z');
    assert.equal(job.kind, 'Job');
    assert.equal(job.metadata.name, 'acme-manual-backup');
    assert.deepEqual(job.metadata.ownerReferences, [
      {
        apiVersion: 'pms.io/v1alpha1',
        kind: 'PmsBackup',
        name: 'acme-manual',
        uid: 'bk-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(job.metadata.labels['pms.io/backup'], 'acme-manual');
    assert.equal(
      job.metadata.annotations?.['pms.io/object-key'],
      'backups/acme/20261125T030000000Z.archive.gz',
    );
    assert.deepEqual(container(job).args, ['backup', '--timestamp', '20261125T030000000Z']);
    assert.equal(envMap(job).has('KEEP_LAST'), false);
    assert.equal((job.spec as Json).activeDeadlineSeconds, 21600);
    assertSecure(job, i);
    assert.equal(
      backupObjectKey(i, backup(), '20261125T030000000Z'),
      'backups/acme/20261125T030000000Z.archive.gz',
    );
    assert.throws(() => renderBackupJob(i, backup(), 'yesterday'), /invalid backup timestamp/);
  });

  it('an external destination brings its own credentials Secret', () => {
    const b = backup({
      destination: {
        endpoint: 'https://s3.eu-west-1.amazonaws.com',
        region: 'eu-west-1',
        bucket: 'acme-pms-backups',
        usePathStyle: false,
        credentialsSecretRef: { name: 'acme-backup-s3', accessKeyKey: 'id', secretKeyKey: 'key' },
      },
    });
    const job = renderBackupJob(i, b, '20261125T030000000Z');
    const env = envMap(job);
    assert.equal(env.get('BACKUP_S3_ENDPOINT')?.value, 'https://s3.eu-west-1.amazonaws.com');
    assert.equal(env.get('BACKUP_S3_REGION')?.value, 'eu-west-1');
    assert.equal(env.get('BACKUP_S3_USE_PATH_STYLE')?.value, 'false');
    assert.equal(env.get('BACKUP_S3_PREFIX')?.value, 'backups/');
    assert.deepEqual(env.get('BACKUP_S3_ACCESS_KEY')?.valueFrom?.secretKeyRef, {
      name: 'acme-backup-s3',
      key: 'id',
    });
    assert.deepEqual(env.get('BACKUP_S3_SECRET_KEY')?.valueFrom?.secretKeyRef, {
      name: 'acme-backup-s3',
      key: 'key',
    });
    assertSecure(job, i);
  });
});

describe('PmsRestore Job', () => {
  it('restores the object key into the target instance', () => {
    const i = inst();
    const key = 'backups/acme/20261125T030000000Z.archive.gz';
    const job = renderRestoreJob(i, restore(), key, undefined);
    assert.equal(job.metadata.name, 'acme-restore-restore');
    assert.deepEqual(container(job).args, ['restore', key]);
    assert.equal(job.metadata.ownerReferences[0]?.kind, 'PmsRestore');
    assert.equal((job.spec as Json).backoffLimit, 1);
    assert.equal(envMap(job).get('INSTANCE')?.value, 'acme');
    assertSecure(job, i);
    assert.throws(
      () => renderRestoreJob(i, restore(), 'acme/../x/20261125T030000000Z', undefined),
      /invalid/,
    );
    assert.throws(() => renderRestoreJob(i, restore(), '--drop-everything', undefined), /invalid/);
  });
});

it('job names stay within 63 characters and are stable', () => {
  const long = 'x'.repeat(60);
  const a = jobNameFor(long, 'restore');
  assert.ok(a.length <= 63, a);
  assert.equal(a, jobNameFor(long, 'restore'));
  assert.notEqual(a, jobNameFor(`${'x'.repeat(59)}y`, 'restore'));
  assert.equal(jobNameFor('short', 'backup'), 'short-backup');
});

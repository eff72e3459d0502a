// Generated credentials. Rendered only to be created when absent: a reconcile never rewrites an
// existing Secret's data (see controller/reconcile.ts). The random source is injected so that
// tests are deterministic; production passes node:crypto's CSPRNG (randomBytes).
import type { PmsInstance } from '../api/spec.ts';
import { objectMeta } from './labels.ts';
import { names } from './names.ts';
import type { Child, Component } from './types.ts';

/** Returns `n` cryptographically random bytes. */
export type RandomSource = (n: number) => Uint8Array;

export const MONGODB_ROOT_USER = 'root';
export const MONGODB_APP_USER = 'pms';
export const MONGODB_DATABASE = 'pms';

/** URL-safe random password: 32 random bytes, base64url (43 characters, no padding). */
export function randomPassword(random: RandomSource, bytes = 32): string {
  return Buffer.from(random(bytes)).toString('base64url');
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** Annotation on credentials kept when the instance is deleted, saying why. */
export const RETAINED_ANNOTATION = 'pms.io/retained-with';

function secret(
  i: PmsInstance,
  name: string,
  component: Component,
  data: Record<string, string>,
  retainedWith?: string,
): Child {
  const meta = objectMeta(
    i,
    name,
    component,
    retainedWith ? { [RETAINED_ANNOTATION]: retainedWith } : undefined,
  );
  // Credentials that unlock data kept after the instance is deleted (retained PVCs, an external
  // database) are not dependents of the instance: recreating it finds and reuses them.
  if (retainedWith) meta.ownerReferences = [];
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta,
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

/**
 * Every Secret the instance needs, with fresh random values. Secrets of data stores that are
 * external (or disabled) are not rendered. The MongoDB and MinIO credentials, and the initial
 * admin's (whose user lives in MongoDB), outlive the instance when their data does
 * (`storage.deleteOnInstanceDelete` false, or an external MongoDB): they carry no owner
 * reference and the annotation `pms.io/retained-with`. Decided when a Secret is created.
 */
export function renderSecrets(i: PmsInstance, random: RandomSource): Child[] {
  const out: Child[] = [];
  const s = i.spec;
  const mongoKept = s.mongodb.external
    ? 'the external MongoDB'
    : s.mongodb.storage.deleteOnInstanceDelete
      ? undefined
      : 'the MongoDB volumes (spec.mongodb.storage.deleteOnInstanceDelete=false)';
  const minioKept =
    s.objectStorage.external || s.objectStorage.storage.deleteOnInstanceDelete
      ? undefined
      : 'the MinIO volume (spec.objectStorage.storage.deleteOnInstanceDelete=false)';
  if (!s.mongodb.external) {
    out.push(
      secret(
        i,
        names.secret.mongodb(i),
        'mongodb',
        {
          'root-username': MONGODB_ROOT_USER,
          'root-password': randomPassword(random),
          username: MONGODB_APP_USER,
          password: randomPassword(random),
          database: MONGODB_DATABASE,
          // Replica-set member authentication (base64 alphabet, at most 1024 characters).
          keyfile: Buffer.from(random(756)).toString('base64'),
        },
        mongoKept,
      ),
    );
  }
  if (s.redis.enabled && !s.redis.external) {
    out.push(secret(i, names.secret.redis(i), 'redis', { password: randomPassword(random) }));
  }
  if (!s.objectStorage.external) {
    out.push(
      secret(
        i,
        names.secret.minio(i),
        'minio',
        {
          'access-key': `pms${Buffer.from(random(10)).toString('hex')}`,
          'secret-key': randomPassword(random),
        },
        minioKept,
      ),
    );
  }
  out.push(secret(i, names.secret.jwt(i), 'backend', { secret: randomPassword(random, 64) }));
  out.push(
    secret(
      i,
      names.secret.admin(i),
      'backend',
      {
        email: adminEmail(i),
        password: randomPassword(random, 18),
      },
      mongoKept,
    ),
  );
  return out;
}

export function adminEmail(i: PmsInstance): string {
  return i.spec.admin.email ?? `admin@${i.spec.host}`;
}

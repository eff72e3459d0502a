// The migration Job of a version change: the NEW backend image running `node dist/migrate.js`
// (app/backend/src/migrate.ts) against the instance's database, before the backend, worker and
// frontend Deployments roll to that version (controller/upgrade.ts decides when). The pod is
// the backend's pod with another command: same env, ConfigMap, Secrets and mounts, the same
// restricted security context, no ports or probes, never restarted in place.
//
// Its pods carry the worker's selector labels: the worker is the same image with the same
// data-store egress (NetworkPolicy `<name>-worker`) and, unlike the backend, no Service that
// would send traffic to a pod that does not serve.
import { createHash } from 'node:crypto';
import type { PmsInstance } from '../api/spec.ts';
import { labels, objectMeta } from './labels.ts';
import { childName } from './names.ts';
import { backendPod } from './pods.ts';
import type { Child } from './types.ts';

/** Annotations on the Job: the versions of the change it belongs to. */
export const MIGRATION_TO_ANNOTATION = 'pms.io/migration-to';
export const MIGRATION_FROM_ANNOTATION = 'pms.io/migration-from';
/** Label on the Job and its pods (value: the instance), so that no Job list mistakes it for a backup. */
export const MIGRATION_LABEL = 'pms.io/migration';
export const MIGRATION_CONTAINER = 'migrate';

/** A retry for a transient failure (a data-store restart); migrations are idempotent. */
export const MIGRATION_BACKOFF_LIMIT = 2;
/** A migration that runs longer than this fails the upgrade instead of blocking it forever. */
export const MIGRATION_DEADLINE_SECONDS = 2 * 3600;

/**
 * `<instance>-migrate-<version>`: one Job per target version, so that a new version never
 * finds the previous version's (immutable) Job. Versions that are not a short lowercase
 * `digits.and.letters` tag are named by a hash (instance names are at most 40 characters; a Job
 * name must stay within 63, the limit of the job-name label on its pods).
 */
export function migrationJobName(i: PmsInstance, version: string): string {
  const plain = /^[a-z0-9]([a-z0-9.]{0,12}[a-z0-9])?$/.test(version);
  const suffix = plain
    ? version.replace(/\./g, '-')
    : `h${createHash('sha256').update(version).digest('hex').slice(0, 10)}`;
  return childName(i, 'migrate', suffix);
}

type Json = Record<string, unknown>;

/** The migration Job for the change `from` → `i.spec.version` (the image of spec.version). */
export function renderMigrationJob(i: PmsInstance, from: string): Child {
  const to = i.spec.version;
  const pod = backendPod(i) as { metadata: Json; spec: Json & { containers: Json[] } };
  const backend = pod.spec.containers[0] ?? {};
  const {
    ports: _ports,
    startupProbe: _s,
    livenessProbe: _l,
    readinessProbe: _r,
    ...container
  } = backend;
  const { topologySpreadConstraints: _t, ...spec } = pod.spec;
  const meta = objectMeta(i, migrationJobName(i, to), 'backend', {
    [MIGRATION_FROM_ANNOTATION]: from,
    [MIGRATION_TO_ANNOTATION]: to,
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...meta, labels: { ...meta.labels, [MIGRATION_LABEL]: i.metadata.name } },
    spec: {
      backoffLimit: MIGRATION_BACKOFF_LIMIT,
      activeDeadlineSeconds: MIGRATION_DEADLINE_SECONDS,
      template: {
        metadata: {
          labels: { ...labels(i, 'worker'), [MIGRATION_LABEL]: i.metadata.name },
        },
        spec: {
          ...spec,
          restartPolicy: 'Never',
          containers: [
            {
              ...container,
              name: MIGRATION_CONTAINER,
              // The image has no ENTRYPOINT: args replace its CMD (as for the worker).
              args: ['node', 'dist/migrate.js'],
              // The migrator's last line (the error) becomes the pod's termination message,
              // which the operator copies into the Upgrading condition.
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
        },
      },
    },
  };
}

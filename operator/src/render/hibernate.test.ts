import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChildren, type Child } from './index.ts';
import { makeInstance } from './test-fixtures.ts';

const replicas = (cs: Child[]) =>
  Object.fromEntries(
    cs
      .filter((c) => c.kind === 'Deployment' || c.kind === 'StatefulSet')
      .map((c) => [c.metadata.name, (c.spec as { replicas?: number }).replicas]),
  );

describe('hibernate', () => {
  const spec = {
    backend: { autoscaling: { minReplicas: 2, maxReplicas: 5 } },
    frontend: { replicas: 3 },
    mongodb: { replicas: 3 },
    backup: { enabled: true, schedule: '@daily' },
  };

  it('scales every workload to 0, drops HPAs and PDBs, suspends the backup CronJob', () => {
    const cs = renderChildren(makeInstance({ ...spec, hibernate: true }));
    assert.deepEqual(replicas(cs), {
      'acme-backend': 0,
      'acme-frontend': 0,
      'acme-worker': 0,
      'acme-redis': 0,
      'acme-mongodb': 0,
      'acme-minio': 0,
    });
    assert.deepEqual(
      cs.filter((c) => ['HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(c.kind)),
      [],
    );
    const cron = cs.find((c) => c.kind === 'CronJob');
    assert.equal((cron?.spec as { suspend?: boolean }).suspend, true);
    // The claims stay in the StatefulSets; the Services, ConfigMaps and policies stay too.
    assert.ok(cs.some((c) => c.kind === 'Service' && c.metadata.name === 'acme-mongodb-headless'));
  });

  it('renders the awake instance as before (backups not suspended)', () => {
    const cs = renderChildren(makeInstance(spec));
    assert.deepEqual(replicas(cs), {
      'acme-backend': undefined,
      'acme-frontend': 3,
      'acme-worker': 1,
      'acme-redis': 1,
      'acme-mongodb': 3,
      'acme-minio': 1,
    });
    const cron = cs.find((c) => c.kind === 'CronJob');
    assert.equal((cron?.spec as { suspend?: boolean }).suspend, false);
  });
});

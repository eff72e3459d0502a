import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { PmsInstanceStatus } from '../api/status.ts';
import { renderChildren } from '../render/index.ts';
import { makeInstance } from '../render/test-fixtures.ts';
import type { Child } from '../render/types.ts';
import { planUpgrade, withUpgrade, withUpgradeStatus, type UpgradePlan } from './upgrade.ts';

const now = new Date('2026-11-30T12:00:00Z');
const at = (version: string): PmsInstanceStatus => ({
  version,
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      reason: 'AllComponentsReady',
      message: 'every component is ready',
      lastTransitionTime: '2026-11-01T00:00:00Z',
    },
  ],
});

/** Live children as the caches would hold them: the app Deployments at `appVersion`. */
function live(appVersion: string, extra: KubernetesObject[] = []): Map<string, KubernetesObject> {
  const m = new Map<string, KubernetesObject>();
  for (const c of renderChildren(makeInstance({ version: appVersion })))
    m.set(`${c.kind}/${c.metadata.name}`, c as KubernetesObject);
  m.set('StatefulSet/acme-mongodb', {
    ...(m.get('StatefulSet/acme-mongodb') as KubernetesObject),
    status: { readyReplicas: 1 },
  } as KubernetesObject);
  for (const o of extra) m.set(`${o.kind}/${o.metadata?.name}`, o);
  return m;
}

const job = (name: string, condition?: { type: string; reason?: string; message?: string }) =>
  ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    status: condition
      ? { conditions: [{ ...condition, status: 'True' }] }
      : { active: 1, startTime: '2026-11-30T11:59:00Z' },
  }) as KubernetesObject;

const image = (children: Child[], name: string) =>
  (
    children.find((c) => c.kind === 'Deployment' && c.metadata.name === name)?.spec as {
      template: { spec: { containers: { image: string }[] } };
    }
  ).template.spec.containers[0]?.image;

describe('planUpgrade', () => {
  const i = makeInstance({ version: '2.2.0' });

  it('first install and a steady version: nothing to do', () => {
    assert.deepEqual(planUpgrade(i, undefined, live('2.2.0')), { state: 'none' });
    assert.deepEqual(planUpgrade(i, {}, live('2.2.0')), { state: 'none' });
    assert.deepEqual(planUpgrade(i, at('2.2.0'), live('2.2.0')), { state: 'none' });
  });

  it('a version change: the Job first (no Job yet, or running), the app held', () => {
    for (const extra of [[], [job('acme-migrate-2-2-0')]]) {
      const p = planUpgrade(i, at('2.1.0'), live('2.1.0', extra));
      if (p.state !== 'migrating') throw new Error(`state ${p.state}`);
      assert.equal(p.reason, 'Migrating');
      assert.match(p.message, /from 2\.1\.0 to 2\.2\.0 \(Job acme-migrate-2-2-0\)/);
      assert.equal(p.held, '2.1.0');
      assert.equal(p.job?.metadata.name, 'acme-migrate-2-2-0');
    }
  });

  it('waits for MongoDB before creating the Job, and while hibernating', () => {
    const l = live('2.1.0');
    l.set('StatefulSet/acme-mongodb', { kind: 'StatefulSet', status: {} } as KubernetesObject);
    const p = planUpgrade(i, at('2.1.0'), l);
    assert.equal(p.state === 'waiting' && p.reason, 'WaitingForMongoDB');
    assert.equal(p.state === 'waiting' && p.job, undefined);
    const h = planUpgrade(makeInstance({ version: '2.2.0', hibernate: true }), at('2.1.0'), l);
    assert.equal(h.state === 'waiting' && h.reason, 'Hibernated');
  });

  it('a failed Job: failed with its reason, app held; a succeeded one: roll out', () => {
    const failed = planUpgrade(
      i,
      at('2.1.0'),
      live('2.1.0', [
        job('acme-migrate-2-2-0', {
          type: 'Failed',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        }),
      ]),
    );
    assert.equal(failed.state, 'failed');
    assert.match(
      failed.state === 'failed' ? failed.message : '',
      /Job acme-migrate-2-2-0 failed migrating the database from 2\.1\.0 to 2\.2\.0 \(BackoffLimitExceeded: .*\)\. The Deployments stay on 2\.1\.0/,
    );
    const rolling = planUpgrade(
      i,
      at('2.1.0'),
      live('2.1.0', [job('acme-migrate-2-2-0', { type: 'Complete' })]),
    );
    assert.equal(rolling.state, 'rolling');
  });

  it('holds the app at the version its Deployments run (a change during a roll-out)', () => {
    const p = planUpgrade(makeInstance({ version: '2.3.0' }), at('2.1.0'), live('2.2.0'));
    assert.equal(p.state === 'migrating' && p.held, '2.2.0');
    assert.equal(p.state === 'migrating' && p.from, '2.1.0');
  });
});

describe('withUpgrade', () => {
  const i = makeInstance({ version: '2.2.0' });
  const children = renderChildren(i);
  const plan = (state: 'migrating' | 'failed' | 'rolling'): UpgradePlan => {
    const p = planUpgrade(i, at('2.1.0'), live('2.1.0'));
    assert.notEqual(p.state, 'none');
    return { ...(p as Exclude<UpgradePlan, { state: 'none' }>), state };
  };

  it('keeps backend, worker and frontend on the old version while migrating or failed', () => {
    for (const s of ['migrating', 'failed'] as const) {
      const out = withUpgrade(children, i, plan(s));
      assert.equal(image(out, 'acme-backend'), 'ghcr.io/pms/pms-backend:2.1.0');
      assert.equal(image(out, 'acme-worker'), 'ghcr.io/pms/pms-backend:2.1.0');
      assert.equal(image(out, 'acme-frontend'), 'ghcr.io/pms/pms-frontend:2.1.0');
      assert.ok(out.some((c) => c.kind === 'Job' && c.metadata.name === 'acme-migrate-2-2-0'));
      // Everything else follows the spec (e.g. the data stores are not rolled back).
      assert.equal(out.length, children.length + 1);
    }
  });

  it('rolls them to the new version once the Job succeeded (the Job stays rendered)', () => {
    const out = withUpgrade(children, i, plan('rolling'));
    assert.equal(image(out, 'acme-backend'), 'ghcr.io/pms/pms-backend:2.2.0');
    assert.equal(image(out, 'acme-frontend'), 'ghcr.io/pms/pms-frontend:2.2.0');
    assert.ok(out.some((c) => c.kind === 'Job' && c.metadata.name === 'acme-migrate-2-2-0'));
  });

  it('nothing in flight: the children as rendered, plus the Job that migrated to this version', () => {
    assert.deepEqual(withUpgrade(children, i, { state: 'none' }), children);
    const done = planUpgrade(
      i,
      at('2.2.0'),
      live('2.2.0', [
        {
          ...job('acme-migrate-2-2-0', { type: 'Complete' }),
          metadata: {
            name: 'acme-migrate-2-2-0',
            annotations: { 'pms.io/migration-from': '2.1.0' },
          },
        },
      ]),
    );
    assert.equal(done.state, 'none');
    assert.equal(done.job?.metadata.annotations?.['pms.io/migration-from'], '2.1.0');
    const out = withUpgrade(children, i, done);
    assert.equal(out.length, children.length + 1);
    assert.equal(image(out, 'acme-backend'), 'ghcr.io/pms/pms-backend:2.2.0');
    // A Job of another version is not kept (pruned).
    const other = planUpgrade(i, at('2.2.0'), live('2.2.0', [job('acme-migrate-2-1-0')]));
    assert.deepEqual(other, { state: 'none' });
  });
});

describe('withUpgradeStatus', () => {
  const i = makeInstance({ version: '2.2.0' });
  const computed: PmsInstanceStatus = { ...at('2.2.0'), phase: 'Ready' };
  const upgrading = (s: PmsInstanceStatus) => s.conditions?.find((c) => c.type === 'Upgrading');

  it('while migrating: Upgrading=True naming from and to, status.version still the old one', () => {
    const p = planUpgrade(i, at('2.1.0'), live('2.1.0'));
    const s = withUpgradeStatus(i, computed, at('2.1.0'), p, now);
    assert.equal(s.version, '2.1.0');
    assert.equal(upgrading(s)?.status, 'True');
    assert.equal(upgrading(s)?.reason, 'Migrating');
    assert.match(upgrading(s)?.message ?? '', /from 2\.1\.0 to 2\.2\.0/);
    assert.equal(upgrading(s)?.observedGeneration, 3);
    // Not Ready: the spec is not realised yet (the old pods serve meanwhile).
    const ready = s.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'Upgrading');
    assert.match(
      ready?.message ?? '',
      /^upgrading: migrating the database from 2\.1\.0 to 2\.2\.0/,
    );
    assert.equal(s.phase, 'Degraded');
  });

  it('failed: Upgrading=False MigrationFailed, status.version unchanged', () => {
    const p = planUpgrade(
      i,
      at('2.1.0'),
      live('2.1.0', [job('acme-migrate-2-2-0', { type: 'Failed', reason: 'DeadlineExceeded' })]),
    );
    const s = withUpgradeStatus(i, computed, at('2.1.0'), p, now);
    assert.equal(s.version, '2.1.0');
    assert.equal(upgrading(s)?.status, 'False');
    assert.equal(upgrading(s)?.reason, 'MigrationFailed');
    assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.reason, 'MigrationFailed');
    assert.equal(s.phase, 'Degraded');
  });

  it('rolling: version moves only when the roll-out finished; then Upgraded, kept afterwards', () => {
    const p = planUpgrade(
      i,
      at('2.1.0'),
      live('2.1.0', [job('acme-migrate-2-2-0', { type: 'Complete' })]),
    );
    const mid = withUpgradeStatus(i, { ...computed, version: '2.1.0' }, at('2.1.0'), p, now);
    assert.equal(mid.version, '2.1.0');
    assert.equal(upgrading(mid)?.reason, 'RollingOut');
    assert.equal(upgrading(mid)?.status, 'True');
    const done = withUpgradeStatus(i, computed, mid, p, now);
    assert.equal(done.version, '2.2.0');
    assert.equal(upgrading(done)?.status, 'False');
    assert.equal(upgrading(done)?.reason, 'Upgraded');
    assert.match(upgrading(done)?.message ?? '', /upgraded from 2\.1\.0 to 2\.2\.0/);
    // Later reconciles: nothing in flight; the condition stays as it was (same transition time).
    const later = withUpgradeStatus(i, computed, done, { state: 'none' }, new Date());
    assert.deepEqual(upgrading(later), upgrading(done));
  });

  it('spec.version set back during an upgrade: no longer in flight', () => {
    const p = planUpgrade(i, at('2.1.0'), live('2.1.0'));
    const mid = withUpgradeStatus(i, computed, at('2.1.0'), p, now);
    const back = makeInstance({ version: '2.1.0' });
    const s = withUpgradeStatus(
      back,
      { ...computed, version: '2.1.0' },
      mid,
      { state: 'none' },
      now,
    );
    assert.equal(upgrading(s)?.status, 'False');
    assert.equal(upgrading(s)?.reason, 'UpgradeCancelled');
  });

  it('an instance that never changed version has no Upgrading condition', () => {
    assert.equal(
      upgrading(withUpgradeStatus(i, computed, computed, { state: 'none' }, now)),
      undefined,
    );
  });
});

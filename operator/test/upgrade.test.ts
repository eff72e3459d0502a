// A spec.version change against the real API server and controller-manager, kwok running the
// pods and the operator under its own RBAC: the migration Job with the new image runs before
// the backend, worker and frontend Deployments change; status says Upgrading from → to and
// status.version moves only after the roll-out; a failed Job leaves the old version serving
// with Upgrading=False MigrationFailed and a Warning event, and deleting the Job retries.
// The CRD's transition rules refuse a downgrade and a skipped major unless
// spec.upgrade.allowVersion names the target.
//
// kwok completes Job pods by itself. To hold a Job open (or fail it), the test creates the Job
// the operator would create (same render, same name and owner) before changing the version,
// with kwok's "custom status" annotation on its pod template, and then sets the pod's status
// as a kubelet would (the pattern of backup-controllers.test.ts); the Job controller does the
// rest (Complete, or Failed with BackoffLimitExceeded).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Watch } from '@kubernetes/client-node';
import {
  admin,
  apiMessage,
  appImages,
  condition,
  eventually,
  events,
  finishPod,
  get,
  imageOf,
  imagesAt,
  inst,
  jobs,
  raw,
  readyBackends,
  send,
  sleep,
  startWithInstance,
  upgradeWithHeldJob,
  waitReadyAt,
  type Obj,
} from './upgrade-support.ts';

let ns = '';
let stop: (() => Promise<void>) | undefined;

before(async () => {
  const env = await startWithInstance('upgrade', 'acme', '1.4.2');
  ns = env.namespace;
  stop = env.stop;
  const ready = await waitReadyAt('acme', '1.4.2');
  // The first install runs no migration Job (the backend migrates at start-up).
  assert.equal(condition(ready, 'Upgrading'), undefined);
  assert.deepEqual(
    ((await get(jobs())) as unknown as { items: Obj[] }).items
      .map((j) => j.metadata?.name)
      .filter((n) => n?.includes('migrate')),
    [],
  );
});

after(async () => {
  await stop?.();
});

describe('spec.version change', () => {
  it('runs the migration Job with the new image before any app Deployment changes', async () => {
    const jobName = 'acme-migrate-1-5-0';
    // Every change of the app Deployments and of the Job, in the API server's order.
    const timeline: { rv: bigint; what: string }[] = [];
    const watch = new Watch(admin);
    const stops = await Promise.all([
      watch.watch(
        `/apis/apps/v1/namespaces/${ns}/deployments`,
        {
          labelSelector:
            'app.kubernetes.io/instance=acme,app.kubernetes.io/component in (backend,frontend,worker)',
        },
        (_type: string, o: Obj) =>
          timeline.push({
            rv: BigInt(o.metadata?.resourceVersion ?? 0),
            what: `${o.metadata?.name} ${imageOf(o)}`,
          }),
        () => undefined,
      ),
      watch.watch(
        jobs(),
        { fieldSelector: `metadata.name=${jobName}` },
        (type: string, o: Obj) => {
          const done = (o.status?.conditions ?? []).some(
            (c) => c.type === 'Complete' && c.status === 'True',
          );
          timeline.push({
            rv: BigInt(o.metadata?.resourceVersion ?? 0),
            what: type === 'DELETED' ? 'job deleted' : done ? 'job complete' : `job ${type}`,
          });
        },
        () => undefined,
      ),
    ]);
    try {
      assert.equal(await upgradeWithHeldJob('acme', '1.4.2', '1.5.0'), jobName);
      const upgrading = await eventually('Upgrading=True Migrating', async () => {
        const o = await get(inst('acme'));
        return condition(o, 'Upgrading')?.reason === 'Migrating' ? o : undefined;
      });
      const c = condition(upgrading, 'Upgrading');
      assert.equal(c?.status, 'True');
      assert.match(c?.message ?? '', /from 1\.4\.2 to 1\.5\.0 \(Job acme-migrate-1-5-0\)/);
      assert.equal(upgrading.status?.version, '1.4.2');
      // The Job runs with the NEW backend image and the migrate command.
      const j = await get(jobs(jobName));
      const jc = (
        j?.spec?.template as { spec: { containers: { image: string; args: string[] }[] } }
      ).spec.containers[0];
      assert.equal(jc?.image, 'ghcr.io/pms/pms-backend:1.5.0');
      assert.deepEqual(jc?.args, ['node', 'dist/migrate.js']);

      // Held: a few resyncs later the app still runs the old version, and still serves; Ready
      // is False until the upgrade is done (whoever waits for Ready waits for all of it).
      await sleep(7000);
      assert.deepEqual(await appImages('acme'), imagesAt('1.4.2'));
      assert.equal(await readyBackends('acme'), 1);
      const held = await get(inst('acme'));
      assert.equal(held?.status?.version, '1.4.2');
      assert.equal(condition(held, 'Ready')?.status, 'False');
      assert.equal(condition(held, 'Ready')?.reason, 'Upgrading');
      assert.equal(condition(held, 'Upgrading')?.reason, 'Migrating');

      await finishPod(jobName, 'Succeeded', 'applied 1 migration(s)');
      await eventually('the app rolled to 1.5.0', async () =>
        JSON.stringify(await appImages('acme')) === JSON.stringify(imagesAt('1.5.0'))
          ? true
          : undefined,
      );
      const done = await waitReadyAt('acme', '1.5.0');
      assert.equal(condition(done, 'Upgrading')?.status, 'False');
      assert.equal(condition(done, 'Upgrading')?.reason, 'Upgraded');
      assert.match(condition(done, 'Upgrading')?.message ?? '', /upgraded from 1\.4\.2 to 1\.5\.0/);
    } finally {
      for (const w of stops) w.abort();
    }
    const dump = () => JSON.stringify(timeline, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    timeline.sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0));
    const complete = timeline.findIndex((e) => e.what === 'job complete');
    const firstNew = timeline.findIndex((e) => e.what.endsWith(':1.5.0'));
    assert.ok(complete >= 0, `the Job completed: ${dump()}`);
    assert.ok(
      firstNew > complete,
      `no app Deployment at 1.5.0 before the Job completed: ${dump()}`,
    );
    assert.ok(
      timeline
        .slice(0, complete)
        .every((e) => !e.what.startsWith('acme-') || e.what.endsWith(':1.4.2')),
      dump(),
    );
    // Done: the Job stays as the record of the last migration (pruned at the next version
    // change); the events tell the story.
    await sleep(2000);
    assert.ok(await get(jobs(jobName)), 'the finished Job is kept');
    const reasons = (await events('acme')).map((e) => e.reason);
    for (const r of ['MigrationStarted', 'MigrationSucceeded', 'Upgraded'])
      assert.ok(reasons.includes(r), `event ${r}: ${reasons.join(', ')}`);
  });

  it('a failed migration leaves the old version serving, says why, and retries when the Job is deleted', async () => {
    const jobName = await upgradeWithHeldJob('acme', '1.5.0', '1.6.0');
    await eventually(
      'the previous migration Job pruned',
      async () => (await get(jobs('acme-migrate-1-5-0'))) === undefined,
    );
    await eventually('Upgrading=True Migrating', async () =>
      condition(await get(inst('acme')), 'Upgrading')?.reason === 'Migrating' ? true : undefined,
    );
    await finishPod(
      jobName,
      'Failed',
      'migration 0003-split-names failed: E11000 duplicate key error (applied before it: 0001-task-version)',
    );
    const failed = await eventually('Upgrading=False MigrationFailed', async () => {
      const o = await get(inst('acme'));
      return condition(o, 'Upgrading')?.reason === 'MigrationFailed' ? o : undefined;
    });
    const c = condition(failed, 'Upgrading');
    assert.equal(c?.status, 'False');
    assert.match(
      c?.message ?? '',
      /Job acme-migrate-1-6-0 failed migrating the database from 1\.5\.0 to 1\.6\.0/,
    );
    assert.match(c?.message ?? '', /BackoffLimitExceeded/);
    assert.match(c?.message ?? '', /migration 0003-split-names failed: E11000/);
    assert.match(c?.message ?? '', /The Deployments stay on 1\.5\.0/);
    assert.equal(failed.status?.version, '1.5.0');
    assert.equal(condition(failed, 'Ready')?.status, 'False');
    assert.equal(condition(failed, 'Ready')?.reason, 'MigrationFailed');
    await eventually('a Warning event MigrationFailed', async () =>
      (await events('acme')).some(
        (e) =>
          e.reason === 'MigrationFailed' && e.type === 'Warning' && /0003-split-names/.test(e.note),
      ),
    );
    // Old pods keep serving: nothing rolled, the instance stays Ready on 1.5.0.
    await sleep(6000);
    assert.deepEqual(await appImages('acme'), imagesAt('1.5.0'));
    const still = await get(inst('acme'));
    assert.equal(still?.status?.version, '1.5.0');
    assert.equal(still?.status?.phase, 'Degraded');
    assert.equal(await readyBackends('acme'), 1, 'the old backend pods still serve');
    assert.equal(condition(still, 'Upgrading')?.reason, 'MigrationFailed');
    assert.ok(await get(jobs(jobName)), 'the failed Job stays for inspection');

    // Recovery: delete the failed Job; the operator creates it again (kwok completes this one).
    await send('DELETE', `${jobs(jobName)}?propagationPolicy=Background`, undefined);
    await waitReadyAt('acme', '1.6.0');
    assert.deepEqual(await appImages('acme'), imagesAt('1.6.0'));
    assert.equal(condition(await get(inst('acme')), 'Upgrading')?.reason, 'Upgraded');
  });
});

describe('version transition rules (CRD)', () => {
  const refused = async (patch: Record<string, unknown>, message: RegExp) => {
    const r = await raw(
      admin,
      'PATCH',
      `${inst('acme')}?dryRun=All`,
      { spec: patch },
      'application/merge-patch+json',
    );
    assert.equal(r.status, 422, `${JSON.stringify(patch)}: ${apiMessage(r.body)}`);
    assert.match(apiMessage(r.body), message);
  };
  const accepted = async (patch: Record<string, unknown>) => {
    const r = await raw(
      admin,
      'PATCH',
      `${inst('acme')}?dryRun=All`,
      { spec: patch },
      'application/merge-patch+json',
    );
    assert.equal(r.status, 200, `${JSON.stringify(patch)}: ${apiMessage(r.body)}`);
  };

  it('refuses a downgrade and a skipped major; spec.upgrade.allowVersion opts in to exactly one', async () => {
    const current = (await get(inst('acme')))?.spec?.version;
    assert.equal(current, '1.6.0');
    await refused({ version: '1.5.9' }, /spec\.version may not go down/);
    await refused({ version: '0.9.0' }, /spec\.version may not go down/);
    await refused({ version: '3.0.0' }, /spec\.version may not skip a major version/);
    await refused(
      { version: '1.5.0', upgrade: { allowVersion: '1.4.2' } },
      /spec\.version may not go down/,
    );
    await accepted({ version: '1.6.1' });
    await accepted({ version: '1.7.0-rc.1' });
    await accepted({ version: '2.0.0' });
    await accepted({ version: '1.5.0', upgrade: { allowVersion: '1.5.0' } });
    await accepted({ version: '3.1.0', upgrade: { allowVersion: '3.1.0' } });
    // Tags that are not semantic versions are not compared.
    await accepted({ version: 'nightly-20261130' });
  });
});

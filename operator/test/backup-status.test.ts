// lastBackup: the newest finished backup Job of an instance (pure part).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { JobObject } from '../src/controller/backup-shared.ts';
import { pickLastBackup } from '../src/controller/backup-status.ts';

function job(
  name: string,
  state: 'Complete' | 'Failed' | 'running',
  time: string,
  extra: { annotations?: Record<string, string>; labels?: Record<string, string> } = {},
): JobObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, ...extra },
    status:
      state === 'running'
        ? { active: 1, startTime: time }
        : {
            startTime: time,
            ...(state === 'Complete' ? { completionTime: time } : {}),
            conditions: [{ type: state, status: 'True', reason: 'X', lastTransitionTime: time }],
          },
  };
}

it('picks the newest finished backup, ignoring running and restore Jobs', () => {
  const jobs = [
    job('acme-backup-1', 'Complete', '2026-11-23T03:00:10Z'),
    job('acme-manual-backup', 'Complete', '2026-11-24T12:00:00Z', {
      annotations: { 'pms.io/object-key': 'backups/acme/20261124T115959000Z.archive.gz' },
    }),
    job('acme-backup-2', 'Failed', '2026-11-25T03:00:10Z'),
    job('acme-backup-3', 'running', '2026-11-26T03:00:00Z'),
    job('acme-restore-restore', 'Complete', '2026-11-27T00:00:00Z', {
      labels: { 'pms.io/restore': 'acme-restore' },
    }),
  ];
  assert.deepEqual(pickLastBackup(jobs)?.last, {
    name: 'acme-backup-2',
    time: '2026-11-25T03:00:10.000Z',
    result: 'Failed',
  });
  assert.deepEqual(pickLastBackup(jobs.slice(0, 2))?.last, {
    name: 'acme-manual-backup',
    time: '2026-11-24T12:00:00.000Z',
    result: 'Succeeded',
    location: 'backups/acme/20261124T115959000Z.archive.gz',
  });
  assert.equal(pickLastBackup([jobs[3] as JobObject]), undefined);
  assert.equal(pickLastBackup([]), undefined);
});

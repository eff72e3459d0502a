// The one status writer (controller/status-writer.ts) against the real API server: a merge
// patch of /status that removes what the new status leaves out, writes nothing when nothing
// differs, and with `optimistic` refuses to overwrite a newer status (409).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { apiErrorCode } from '../src/kube-errors.ts';
import { writeStatus } from '../src/controller/status-writer.ts';
import {
  adminKc,
  apiMessage,
  createNamespace,
  deleteNamespace,
  installCrds,
  raw,
} from './backup-support.ts';

const admin = adminKc();
let ns = '';

type Backup = KubernetesObject & { status?: Record<string, unknown> };

const path = (name: string) => `/apis/pms.io/v1alpha1/namespaces/${ns}/pmsbackups/${name}`;
async function read(name: string): Promise<Backup> {
  const r = await raw(admin, 'GET', path(name));
  assert.equal(r.status, 200, apiMessage(r.body));
  return r.body as Backup;
}

before(async () => {
  await installCrds(admin);
  ns = await createNamespace(admin, 'stwrite');
  const r = await raw(admin, 'POST', `/apis/pms.io/v1alpha1/namespaces/${ns}/pmsbackups`, {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsBackup',
    metadata: { name: 'b' },
    spec: { instanceRef: { name: 'acme' } },
  });
  assert.equal(r.status, 201, apiMessage(r.body));
});

after(async () => {
  await deleteNamespace(admin, ns);
});

describe('writeStatus', () => {
  const ctx = { kc: admin };
  const opts = { plural: 'pmsbackups', optimistic: true };

  it('writes, then writes nothing when nothing differs, and drops fields left out', async () => {
    const b = await read('b');
    const first = await writeStatus(ctx, b, { phase: 'Pending', error: 'waiting' }, opts);
    assert.ok(first?.resourceVersion);
    const live = await read('b');
    assert.deepEqual(live.status, { phase: 'Pending', error: 'waiting' });
    assert.equal(
      await writeStatus(ctx, live, { phase: 'Pending', error: 'waiting' }, opts),
      undefined,
    );
    assert.equal((await read('b')).metadata?.resourceVersion, live.metadata?.resourceVersion);
    await writeStatus(ctx, live, { phase: 'Running' }, opts);
    assert.deepEqual((await read('b')).status, { phase: 'Running' });
  });

  it('optimistic: a write based on a stale read is refused with 409; without it, it applies', async () => {
    const stale = await read('b');
    await writeStatus(ctx, stale, { phase: 'Running', jobName: 'j' }, opts);
    await assert.rejects(
      writeStatus(ctx, stale, { phase: 'Failed' }, opts),
      (err: unknown) => apiErrorCode(err) === 409,
    );
    assert.equal((await read('b')).status?.phase, 'Running');
    await writeStatus(ctx, stale, { phase: 'Failed' }, { plural: 'pmsbackups' });
    assert.equal((await read('b')).status?.phase, 'Failed');
  });

  it('an object deleted meanwhile: nothing written, no error', async () => {
    const gone = { ...(await read('b')), metadata: { name: 'gone', namespace: ns } };
    assert.equal(await writeStatus(ctx, gone, { phase: 'Failed' }, opts), undefined);
  });
});

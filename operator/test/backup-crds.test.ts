// The API server itself refuses bad PmsBackup / PmsRestore objects (crds/pmsbackup.yaml,
// crds/pmsrestore.yaml), accepts the samples, and keeps their specs immutable.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  adminKc,
  apiMessage,
  createNamespace,
  deleteNamespace,
  installCrds,
  raw,
  root,
} from './backup-support.ts';

const kc = adminKc();
let ns = '';
before(async () => {
  await installCrds(kc);
  ns = await createNamespace(kc, 'bkcrd');
});
after(() => deleteNamespace(kc, ns));

const path = (plural: string, name = '') =>
  `/apis/pms.io/v1alpha1/namespaces/${ns}/${plural}${name ? `/${name}` : ''}`;

async function create(kind: 'PmsBackup' | 'PmsRestore', name: string, spec: unknown) {
  const plural = kind === 'PmsBackup' ? 'pmsbackups' : 'pmsrestores';
  return raw(kc, 'POST', path(plural), {
    apiVersion: 'pms.io/v1alpha1',
    kind,
    metadata: { name },
    spec,
  });
}

type Case = [string, 'PmsBackup' | 'PmsRestore', unknown, string[]];
const restoreSource = { objectKey: 'backups/acme/20261125T030000000Z.archive.gz' };
const bad: Case[] = [
  ['backup without spec', 'PmsBackup', undefined, ['spec: Required value']],
  ['backup without instanceRef', 'PmsBackup', {}, ['spec.instanceRef: Required value']],
  [
    'backup instance name not a DNS label',
    'PmsBackup',
    { instanceRef: { name: 'Acme_Corp' } },
    ['spec.instanceRef.name must be a PmsInstance name'],
  ],
  [
    'backup endpoint without credentials',
    'PmsBackup',
    {
      instanceRef: { name: 'acme' },
      destination: { endpoint: 'https://s3.example.com', bucket: 'bk1' },
    },
    ['an external S3 destination needs its own credentials Secret'],
  ],
  [
    'backup credentials without endpoint',
    'PmsBackup',
    { instanceRef: { name: 'acme' }, destination: { credentialsSecretRef: { name: 's' } } },
    ['go together'],
  ],
  [
    'backup endpoint not a URL',
    'PmsBackup',
    {
      instanceRef: { name: 'acme' },
      destination: { endpoint: 's3.example.com', credentialsSecretRef: { name: 's' } },
    },
    ['spec.destination.endpoint must be an http(s) URL'],
  ],
  [
    'backup bucket with upper case',
    'PmsBackup',
    { instanceRef: { name: 'acme' }, destination: { bucket: 'My_Bucket' } },
    ['spec.destination.bucket must be an S3 bucket name'],
  ],
  [
    'backup prefix without trailing slash',
    'PmsBackup',
    { instanceRef: { name: 'acme' }, destination: { prefix: 'backups' } },
    ['spec.destination.prefix must be path segments'],
  ],
  [
    'backup prefix climbing up',
    'PmsBackup',
    { instanceRef: { name: 'acme' }, destination: { prefix: 'a/../' } },
    ['spec.destination.prefix must be path segments'],
  ],
  [
    'restore without source',
    'PmsRestore',
    { instanceRef: { name: 'acme' } },
    ['spec.source: Required value'],
  ],
  [
    'restore with both sources',
    'PmsRestore',
    { instanceRef: { name: 'acme' }, source: { backupRef: { name: 'b' }, ...restoreSource } },
    ['spec.source needs exactly one of backupRef'],
  ],
  [
    'restore with neither source',
    'PmsRestore',
    { instanceRef: { name: 'acme' }, source: {} },
    ['spec.source needs exactly one of backupRef'],
  ],
  [
    'restore object key that is not an archive key',
    'PmsRestore',
    { instanceRef: { name: 'acme' }, source: { objectKey: 'acme/latest.tar' } },
    ['spec.source.objectKey must look like'],
  ],
  [
    'restore without target instance',
    'PmsRestore',
    { source: restoreSource },
    ['spec.instanceRef: Required value'],
  ],
  [
    'restore with destination and backupRef',
    'PmsRestore',
    {
      instanceRef: { name: 'acme' },
      source: { backupRef: { name: 'b' } },
      destination: { bucket: 'bkt' },
    },
    ['spec.destination is only for an objectKey source'],
  ],
  [
    'restore with an unknown onFailure',
    'PmsRestore',
    { instanceRef: { name: 'acme' }, source: restoreSource, onFailure: 'Ignore' },
    ['spec.onFailure', 'Unsupported value'],
  ],
];

describe('invalid PmsBackup and PmsRestore objects are refused by the API server', () => {
  bad.forEach(([what, kind, spec, expected], n) => {
    it(what, async () => {
      const res = await create(kind, `bad-${n}`, spec);
      const msg = apiMessage(res.body);
      assert.equal(res.status, 422, `expected 422, got ${res.status}: ${msg}`);
      for (const e of expected) assert.ok(msg.includes(e), `message lacks "${e}": ${msg}`);
    });
  });
});

describe('valid objects', () => {
  it('the samples are accepted as written, with defaults applied', async () => {
    for (const file of ['04-backup.yaml', '05-restore.yaml']) {
      const docs = parseAllDocuments(readFileSync(resolve(root, 'samples', file), 'utf8'))
        .map((d) => d.toJS() as { kind?: string; metadata?: { namespace?: string } })
        .filter((o) => o.kind === 'PmsBackup' || o.kind === 'PmsRestore');
      assert.ok(docs.length > 0, file);
      for (const doc of docs) {
        const plural = doc.kind === 'PmsBackup' ? 'pmsbackups' : 'pmsrestores';
        const res = await raw(kc, 'POST', path(plural), {
          ...doc,
          metadata: { ...doc.metadata, namespace: ns },
        });
        assert.equal(res.status, 201, `${file}: ${apiMessage(res.body)}`);
        if (doc.kind === 'PmsRestore') {
          assert.equal(
            (res.body as { spec: { onFailure: string } }).spec.onFailure,
            'KeepMaintenance',
          );
        }
      }
    }
  });

  it('an external destination with credentials is accepted and its Secret keys defaulted', async () => {
    const res = await create('PmsBackup', 'external', {
      instanceRef: { name: 'acme' },
      destination: {
        endpoint: 'https://s3.eu-west-1.amazonaws.com',
        region: 'eu-west-1',
        bucket: 'acme-backups',
        prefix: 'pms/',
        usePathStyle: false,
        credentialsSecretRef: { name: 'acme-backup-s3' },
      },
    });
    assert.equal(res.status, 201, apiMessage(res.body));
    const ref = (
      res.body as { spec: { destination: { credentialsSecretRef: Record<string, string> } } }
    ).spec.destination.credentialsSecretRef;
    assert.deepEqual(ref, {
      name: 'acme-backup-s3',
      accessKeyKey: 'access-key',
      secretKeyKey: 'secret-key',
    });
  });

  it('spec is immutable, status is a subresource', async () => {
    const created = await create('PmsRestore', 'immutable', {
      instanceRef: { name: 'acme' },
      source: restoreSource,
    });
    assert.equal(created.status, 201, apiMessage(created.body));
    const patched = await raw(
      kc,
      'PATCH',
      path('pmsrestores', 'immutable'),
      { spec: { instanceRef: { name: 'other' } } },
      'application/merge-patch+json',
    );
    assert.equal(patched.status, 422);
    assert.match(apiMessage(patched.body), /spec is immutable/);
    // Writing status through the main resource is ignored; through /status it sticks.
    await raw(
      kc,
      'PATCH',
      path('pmsrestores', 'immutable'),
      { status: { phase: 'Failed' } },
      'application/merge-patch+json',
    );
    const read1 = await raw(kc, 'GET', path('pmsrestores', 'immutable'));
    assert.equal((read1.body as { status?: unknown }).status, undefined);
    const s = await raw(
      kc,
      'PATCH',
      `${path('pmsrestores', 'immutable')}/status`,
      { status: { phase: 'Pending' } },
      'application/merge-patch+json',
    );
    assert.equal(s.status, 200, apiMessage(s.body));
    const bad = await raw(
      kc,
      'PATCH',
      `${path('pmsrestores', 'immutable')}/status`,
      { status: { phase: 'Exploded' } },
      'application/merge-patch+json',
    );
    assert.equal(bad.status, 422);
  });

  it('printer columns are served', async () => {
    const res = await raw(
      kc,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/pmsbackups.pms.io',
    );
    const cols = (
      res.body as { spec: { versions: { additionalPrinterColumns: { name: string }[] }[] } }
    ).spec.versions[0]?.additionalPrinterColumns.map((c) => c.name);
    assert.deepEqual(cols, ['Instance', 'Phase', 'Size', 'Key', 'Completed', 'Age']);
  });
});

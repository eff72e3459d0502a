// The storage service: a claim of the default class gets a hostPath volume under the
// environment's folder, a non-root pod on the real node can write to it, and deleting the claim
// deletes the volume and its folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Applier, eventually, testEnv, type KubeObject } from '../src/index.ts';
import { buildahBuild, importIntoContainerd, ociArchive } from '../src/oci.ts';
import { cacheDir, envFile } from '../src/paths.ts';

const { kubeconfig } = testEnv('kube', 'storage');
const volumesDir = process.env.TESTENV_VOLUMES_DIR ?? readEnvFile('TESTENV_VOLUMES_DIR');
const nodeName = process.env.TESTENV_NODE_NAME ?? readEnvFile('TESTENV_NODE_NAME');
const containerd =
  process.env.TESTENV_CONTAINERD_ADDRESS ?? readEnvFile('TESTENV_CONTAINERD_ADDRESS');
const namespace = `storage-${randomBytes(3).toString('hex')}`;
let applier: Applier;

function readEnvFile(name: string): string | undefined {
  if (!existsSync(envFile)) return undefined;
  const line = readFileSync(envFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1);
}

async function api(method: string, path: string, body?: unknown) {
  const r = await applier.transport(
    method,
    path,
    body === undefined ? undefined : JSON.stringify(body),
  );
  return { status: r.status, body: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} };
}

const claim = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace },
  // No storageClassName: the default class (`standard`) is filled in on admission.
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

async function boundVolume(name: string): Promise<{ pv: string; uid: string }> {
  return eventually(`claim ${name} Bound`, async () => {
    const c = (await api('GET', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}`))
      .body as {
      metadata: { uid: string };
      spec: { volumeName?: string; storageClassName?: string };
      status?: { phase?: string };
    };
    assert.equal(c.spec.storageClassName, 'standard');
    return c.status?.phase === 'Bound' && c.spec.volumeName
      ? { pv: c.spec.volumeName, uid: c.metadata.uid }
      : undefined;
  });
}

/** A FROM scratch image with one static program: `write <file> <text>`. */
function writerImage(): string {
  const tag = 'localhost/pms/volume-writer:1';
  const dir = join(cacheDir, 'build', 'volume-writer');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'write.c'),
    '#include <stdio.h>\nint main(int c, char **v) { FILE *f = c == 3 ? fopen(v[1], "w") : 0;\n' +
      '  if (!f) { perror("open"); return 1; } fputs(v[2], f); return fclose(f) != 0; }\n',
  );
  const gcc = spawnSync('gcc', ['-Os', '-static', '-o', join(dir, 'write'), join(dir, 'write.c')], {
    encoding: 'utf8',
  });
  assert.equal(gcc.status, 0, gcc.stderr);
  writeFileSync(
    join(dir, 'Containerfile'),
    'FROM scratch\nCOPY write /write\nENTRYPOINT ["/write"]\n',
  );
  buildahBuild({ tag, file: join(dir, 'Containerfile'), context: dir });
  return tag;
}

before(async () => {
  applier = await Applier.fromKubeconfig(kubeconfig);
  await applier.apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { fieldManager: 'storage-test' },
  );
});

after(async () => {
  await api('DELETE', `/api/v1/namespaces/${namespace}`);
});

test('the default StorageClass is `standard`, provisioner pms.io/hostpath, Immediate', async () => {
  const sc = (await api('GET', '/apis/storage.k8s.io/v1/storageclasses/standard')).body as {
    provisioner: string;
    volumeBindingMode: string;
    metadata: { annotations?: Record<string, string> };
  };
  assert.equal(sc.provisioner, 'pms.io/hostpath');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  assert.equal(sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
});

test('a claim becomes Bound to a hostPath volume; deleting it removes volume and folder', async () => {
  await applier.apply(claim('data'), { fieldManager: 'storage-test' });
  const { pv, uid } = await boundVolume('data');
  const dir = join(volumesDir ?? '', uid);
  assert.ok(volumesDir, 'TESTENV_VOLUMES_DIR exported');
  assert.ok(existsSync(dir), `${dir} made`);
  assert.equal(statSync(dir).mode & 0o777, 0o777);

  if (nodeName && containerd) {
    // A non-root pod on the real node writes into the volume.
    const tag = writerImage();
    importIntoContainerd(containerd, ociArchive(tag));
    await applier.apply(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'writer', namespace },
        spec: {
          nodeName,
          restartPolicy: 'Never',
          tolerations: [{ operator: 'Exists' }],
          securityContext: { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true },
          containers: [
            {
              name: 'write',
              image: tag,
              imagePullPolicy: 'Never',
              args: ['/data/probe', 'written by uid 1000'],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
      { fieldManager: 'storage-test' },
    );
    await eventually(
      'writer pod Succeeded',
      async () => {
        const pod = (await api('GET', `/api/v1/namespaces/${namespace}/pods/writer`)).body as {
          status?: { phase?: string };
        };
        assert.notEqual(pod.status?.phase, 'Failed', JSON.stringify(pod.status));
        return pod.status?.phase === 'Succeeded';
      },
      120_000,
    );
    assert.equal(readFileSync(join(dir, 'probe'), 'utf8'), 'written by uid 1000');
    await api('DELETE', `/api/v1/namespaces/${namespace}/pods/writer?gracePeriodSeconds=0`);
    await eventually(
      'writer pod gone',
      async () => (await api('GET', `/api/v1/namespaces/${namespace}/pods/writer`)).status === 404,
    );
  }

  await api('DELETE', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/data`);
  await eventually(
    'volume deleted',
    async () => (await api('GET', `/api/v1/persistentvolumes/${pv}`)).status === 404,
  );
  await eventually('folder removed', async () => !existsSync(dir));
});

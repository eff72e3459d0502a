// The upgrade with the real migrator: an instance at version A with data in A's format, a
// version change to B, and the operator's migration Job executed for real — its container's
// command, with the environment the kubelet would give it (the ConfigMap, the Secrets it
// references, the Secret volumes it mounts) — against the real FerretDB. B's migrations change
// the data; the status follows; a database that a newer release migrated makes the Job fail
// with the migrator's own message and leaves A serving.
//
// kwok runs no containers, so this test is the kubelet for the Job's one pod: it reads the pod
// the Job controller created, resolves its env and mounts from the API server, runs the
// container's command as a local process and reports its exit code and last log line as the
// pod status (terminationMessagePolicy FallbackToLogsOnError). Two substitutions, both
// because the pod's own network is not here: MONGODB_URI is the test's FerretDB (the pod's
// points at the in-cluster MongoDB Service), and the image's compiled `dist/migrate.js` is run
// from its source `src/migrate.ts` (the backend Dockerfile compiles src/ to dist/ with the same
// names; Node runs the TypeScript directly).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { testEnv } from '@pms/testenv';
import type { Mongoose } from 'mongoose';
import {
  admin,
  appImages,
  condition,
  eventually,
  finishPod,
  get,
  imagesAt,
  inst,
  raw,
  readyBackends,
  sleep,
  startWithInstance,
  upgradeWithHeldJob,
  waitReadyAt,
  type Obj,
} from './upgrade-support.ts';

const backendDir = fileURLToPath(new URL('../../app/backend/', import.meta.url));
// The backend's own MongoDB driver (through mongoose), to seed and read the tenant's database.
const mongoose = createRequire(join(backendDir, 'package.json'))('mongoose') as Mongoose;
const backendVersion = (
  createRequire(import.meta.url)('../../app/backend/package.json') as { version: string }
).version;

const uri = testEnv('mongodb').mongodbUri;
const dbName = `t_upgmig_${randomBytes(4).toString('hex')}`;
let client: InstanceType<typeof mongoose.mongo.MongoClient> | undefined;
let ns = '';
let stop: (() => Promise<void>) | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'pms-upgrade-kubelet-'));

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
};
type PodSpec = {
  containers: {
    name: string;
    args: string[];
    env?: EnvVar[];
    envFrom?: { configMapRef?: { name: string } }[];
    volumeMounts?: { name: string; mountPath: string }[];
  }[];
  volumes?: {
    name: string;
    secret?: { secretName: string; items?: { key: string; path: string }[] };
  }[];
};

async function secretData(name: string): Promise<Record<string, string>> {
  const r = await raw(admin, 'GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
  assert.equal(r.status, 200, `Secret ${name}`);
  const data = (r.body as { data?: Record<string, string> }).data ?? {};
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

/**
 * What the kubelet gives the container: envFrom ConfigMaps, env (secretKeyRef resolved,
 * `$(VAR)` expanded from the variables before it), Secret volumes written under a scratch
 * directory standing in for the mount paths (and the *_FILE variables pointing there).
 */
async function containerEnv(spec: PodSpec): Promise<Record<string, string>> {
  const c = spec.containers[0];
  assert.ok(c);
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (!from.configMapRef) continue;
    const r = await raw(
      admin,
      'GET',
      `/api/v1/namespaces/${ns}/configmaps/${from.configMapRef.name}`,
    );
    Object.assign(env, (r.body as { data?: Record<string, string> }).data ?? {});
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const value = ref
      ? (await secretData(ref.name))[ref.key]
      : (e.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m);
    assert.ok(value !== undefined, `env ${e.name}`);
    env[e.name] = value;
  }
  for (const m of c.volumeMounts ?? []) {
    const secret = spec.volumes?.find((v) => v.name === m.name)?.secret;
    if (!secret) continue;
    const data = await secretData(secret.secretName);
    const dir = join(scratch, m.mountPath);
    mkdirSync(dir, { recursive: true });
    const items = secret.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
    for (const it of items) writeFileSync(join(dir, it.path), data[it.key] ?? '');
    for (const [k, v] of Object.entries(env))
      if (k.endsWith('_FILE') && v.startsWith(`${m.mountPath}/`)) env[k] = join(scratch, v);
  }
  return env;
}

/** Runs the Job's pod to completion as described above; returns the exit code and message. */
async function runMigrationPod(jobName: string): Promise<{ code: number; message: string }> {
  const pod = await eventually(`a pod of ${jobName}`, async () => {
    const r = await raw(
      admin,
      'GET',
      `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${jobName}`)}`,
    );
    return (r.body as { items: Obj[] }).items[0];
  });
  const spec = pod.spec as unknown as PodSpec;
  const c = spec.containers[0];
  assert.equal(c?.name, 'migrate');
  assert.deepEqual(c?.args, ['node', 'dist/migrate.js']);
  const source = join(backendDir, 'src', 'migrate.ts');
  assert.ok(existsSync(source), 'the backend has the migrate command');
  const env = {
    ...(await containerEnv(spec)),
    // The pod's own network is not here: the test's FerretDB stands in for the tenant's MongoDB.
    MONGODB_URI: uri,
    MONGODB_DB: dbName,
    PATH: process.env.PATH ?? '',
  };
  const child = spawn(process.execPath, [source], { cwd: backendDir, env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (n) => resolve(n ?? 1));
  });
  const message = stderr.trim().split('\n').at(-1) ?? '';
  await finishPod(jobName, code === 0 ? 'Succeeded' : 'Failed', message, code);
  return { code, message };
}

const tasks = () => client?.db(dbName).collection('tasks');
const records = async () =>
  (await client?.db(dbName).collection('migrations').find({}).sort({ _id: 1 }).toArray()) ?? [];

before(async () => {
  client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const env = await startWithInstance('upgmig', 'shop', '1.0.0');
  ns = env.namespace;
  stop = env.stop;
  await waitReadyAt('shop', '1.0.0');
});

after(async () => {
  await stop?.();
  await client?.db(dbName).dropDatabase();
  await client?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('upgrade with the real migrator', () => {
  it("A's data is migrated by B's Job; then the app rolls and status says B", async () => {
    // Version A's database: tasks written before `version` and `priorityOrder` existed, and
    // none of B's migrations recorded.
    const projectId = new mongoose.Types.ObjectId();
    await tasks()?.insertMany([
      { projectId, number: 1, title: 'old urgent', priority: 'urgent', rank: 'a' },
      { projectId, number: 2, title: 'old high', priority: 'high', priorityOrder: 0, rank: 'b' },
    ]);
    assert.deepEqual(await records(), []);

    const jobName = await upgradeWithHeldJob('shop', '1.0.0', '1.1.0');
    const run = await runMigrationPod(jobName);
    assert.equal(run.code, 0, run.message);

    const migrated = (await tasks()?.find({}).sort({ number: 1 }).toArray()) ?? [];
    assert.deepEqual(
      migrated.map((t) => [t.number, t.version, t.priorityOrder]),
      [
        [1, 0, 4],
        [2, 0, 3],
      ],
    );
    const applied = await records();
    assert.deepEqual(
      applied.map((r) => r._id),
      ['0001-task-version', '0002-task-priority-order'],
    );
    assert.ok(applied.every((r) => r.appVersion === backendVersion));

    const done = await waitReadyAt('shop', '1.1.0');
    assert.deepEqual(await appImages('shop'), imagesAt('1.1.0'));
    assert.equal(condition(done, 'Upgrading')?.reason, 'Upgraded');
  });

  it('a database migrated by a newer release: the Job fails with that, A keeps serving', async () => {
    await client
      ?.db(dbName)
      .collection<{ _id: string }>('migrations')
      .insertOne({
        _id: '9000-from-a-newer-release',
        appVersion: '9.0.0',
        appliedAt: new Date(),
      } as never);
    const jobName = await upgradeWithHeldJob('shop', '1.1.0', '1.2.0');
    const run = await runMigrationPod(jobName);
    assert.equal(run.code, 3, run.message);
    assert.match(run.message, /database is newer than this version .*9000-from-a-newer-release/);

    const failed = await eventually('Upgrading=False MigrationFailed', async () => {
      const o = await get(inst('shop'));
      return condition(o, 'Upgrading')?.reason === 'MigrationFailed' ? o : undefined;
    });
    assert.match(
      condition(failed, 'Upgrading')?.message ?? '',
      /Job shop-migrate-1-2-0 failed .*: database is newer than this version .*9000-from-a-newer-release; refusing\. The Deployments stay on 1\.1\.0/,
    );
    await sleep(6000);
    assert.deepEqual(await appImages('shop'), imagesAt('1.1.0'));
    assert.equal(await readyBackends('shop'), 1);
    assert.equal((await get(inst('shop')))?.status?.version, '1.1.0');
    // Nothing was written: the refusal happens before the lock.
    assert.deepEqual(
      (await records()).map((r) => r._id),
      ['0001-task-version', '0002-task-priority-order', '9000-from-a-newer-release'],
    );
    assert.equal(await client?.db(dbName).collection('migrationlocks').countDocuments(), 0);
  });
});

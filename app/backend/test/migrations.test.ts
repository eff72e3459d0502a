// Schema/data migrations against the real FerretDB: a fresh database, a second run that changes
// nothing, two migrators at once (separate clients, as two pods would be), a database migrated
// by a newer release, a failing migration, an expired and a live lock, the start-up modes and
// the `migrate` command's output and exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { testEnv } from '@pms/testenv';
import { MIGRATIONS } from '../src/migrations/list.ts';
import { LOCK_COLLECTION, LockTimeoutError } from '../src/migrations/lock.ts';
import {
  DatabaseNewerError,
  MigrationFailedError,
  migrate,
  readApplied,
  RECORD_COLLECTION,
} from '../src/migrations/runner.ts';
import { migrationsOnStart, MigrationsPendingError } from '../src/migrations/startup.ts';
import type { Migration, MigrationLog, TDb } from '../src/migrations/types.ts';
import { APP_VERSION } from '../src/migrations/version.ts';

const uri = testEnv('mongodb').mongodbUri;
const clients: mongoose.mongo.MongoClient[] = [];
const dbs: TDb[] = [];
const quiet: MigrationLog = { info: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function client(): Promise<mongoose.mongo.MongoClient> {
  const c = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await c.connect();
  clients.push(c);
  return c;
}

/** A fresh database of its own (dropped at the end). */
async function freshDb(): Promise<TDb> {
  const db = (await client()).db(`t_migr_${randomBytes(4).toString('hex')}`);
  dbs.push(db);
  return db;
}

const fast = { ttlMs: 3000, waitMs: 20_000, pollMs: 50 };

before(async () => {
  await client();
});

after(async () => {
  for (const db of dbs) await db.dropDatabase().catch(() => undefined);
  for (const c of clients) await c.close();
});

describe('migrations on a real database', () => {
  it('a fresh database: every migration applied and recorded, the lock released', async () => {
    const db = await freshDb();
    const r = await migrate(db, { migrations: MIGRATIONS, appVersion: APP_VERSION, log: quiet });
    assert.deepEqual(
      r.ran,
      MIGRATIONS.map((m) => m.id),
    );
    const records = await readApplied(db);
    assert.deepEqual(
      records.map((x) => x._id),
      MIGRATIONS.map((m) => m.id),
    );
    for (const rec of records) {
      assert.equal(rec.appVersion, APP_VERSION);
      assert.ok(rec.appliedAt instanceof Date && Date.now() - rec.appliedAt.getTime() < 60_000);
      assert.ok(rec.description.length > 0);
    }
    assert.equal(await db.collection(LOCK_COLLECTION).countDocuments(), 0);
  });

  it('backfills old tasks, and a second run changes nothing', async () => {
    const db = await freshDb();
    const tasks = db.collection('tasks');
    const base = { projectId: new mongoose.Types.ObjectId(), title: 't', rank: 'a' };
    await tasks.insertMany([
      { ...base, number: 1, priority: 'urgent' }, // before version and priorityOrder
      { ...base, number: 2, priority: 'high', priorityOrder: 0, version: null },
      { ...base, number: 3, priority: 'low', priorityOrder: 1, version: 7 },
      { ...base, number: 4 }, // no priority at all
    ]);
    const first = await migrate(db, {
      migrations: MIGRATIONS,
      appVersion: APP_VERSION,
      log: quiet,
    });
    assert.equal(first.ran.length, MIGRATIONS.length);
    const byNumber = async () =>
      new Map(
        (await tasks.find({}).toArray()).map((t) => [
          t.number as number,
          { version: t.version, priority: t.priority, priorityOrder: t.priorityOrder },
        ]),
      );
    const migrated = await byNumber();
    assert.deepEqual(migrated.get(1), { version: 0, priority: 'urgent', priorityOrder: 4 });
    assert.deepEqual(migrated.get(2), { version: 0, priority: 'high', priorityOrder: 3 });
    assert.deepEqual(migrated.get(3), { version: 7, priority: 'low', priorityOrder: 1 });
    assert.deepEqual(migrated.get(4), { version: 0, priority: 'none', priorityOrder: 0 });
    const recordsBefore = await readApplied(db);

    const second = await migrate(db, {
      migrations: MIGRATIONS,
      appVersion: APP_VERSION,
      log: quiet,
    });
    assert.deepEqual(second, { pending: [], ran: [] });
    assert.deepEqual(await byNumber(), migrated);
    assert.deepEqual(await readApplied(db), recordsBefore, 'the records are not rewritten');

    // Each `up` is idempotent on its own too (a migrator that died before recording reruns it).
    for (const m of MIGRATIONS) await m.up({ db, log: quiet });
    assert.deepEqual(await byNumber(), migrated);
  });

  it('two migrators at once: each migration runs once, both finish, one record each', async () => {
    const name = `t_migr_${randomBytes(4).toString('hex')}`;
    const [a, b] = [(await client()).db(name), (await client()).db(name)];
    dbs.push(a);
    const calls = new Map<string, number>();
    let running = 0;
    let overlapped = false;
    const counted = (id: string, ms: number): Migration => ({
      id,
      description: id,
      async up({ db }) {
        running++;
        if (running > 1) overlapped = true;
        calls.set(id, (calls.get(id) ?? 0) + 1);
        await db.collection('things').insertOne({ by: id });
        await sleep(ms);
        running--;
      },
    });
    const list = [counted('0001-slow', 600), counted('0002-quick', 50)];
    const waits: string[] = [];
    const log = (who: string): MigrationLog => ({
      info: (_f, msg) => void (msg === 'waiting for another migrator' && waits.push(who)),
      warn: () => undefined,
    });
    const [ra, rb] = await Promise.all([
      migrate(a, { migrations: list, appVersion: 'A', log: log('a'), lock: fast }),
      migrate(b, { migrations: list, appVersion: 'B', log: log('b'), lock: fast }),
    ]);
    assert.equal(overlapped, false, 'never two `up`s at once');
    assert.deepEqual(Object.fromEntries(calls), { '0001-slow': 1, '0002-quick': 1 });
    assert.deepEqual([...ra.ran, ...rb.ran].sort(), ['0001-slow', '0002-quick']);
    assert.equal(waits.length, 1, 'exactly one of them waited for the other');
    assert.equal(await a.collection('things').countDocuments(), 2);
    const records = await readApplied(a);
    assert.deepEqual(
      records.map((r) => r._id),
      ['0001-slow', '0002-quick'],
    );
    assert.equal(new Set(records.map((r) => r.appVersion)).size, 1, 'one migrator applied both');
    assert.equal(await a.collection(LOCK_COLLECTION).countDocuments(), 0);
  });

  it('refuses a database migrated by a newer release, and changes nothing', async () => {
    const db = await freshDb();
    await migrate(db, { migrations: MIGRATIONS, appVersion: APP_VERSION, log: quiet });
    await db.collection<{ _id: string }>(RECORD_COLLECTION).insertOne({
      _id: '9000-from-the-future',
      description: 'a later release',
      appVersion: '99.0.0',
      appliedAt: new Date(),
      durationMs: 1,
    } as never);
    const before = await readApplied(db);
    // This binary's list plus one more of its own that the database does not have yet.
    let ran = false;
    const list: Migration[] = [
      ...MIGRATIONS,
      {
        id: '0099-local',
        description: 'x',
        up: async () => {
          ran = true;
        },
      },
    ];
    await assert.rejects(
      migrate(db, { migrations: list, appVersion: '1.0.0', log: quiet }),
      (err: unknown) =>
        err instanceof DatabaseNewerError &&
        /database is newer than this version \(1\.0\.0\).*9000-from-the-future; refusing/.test(
          err.message,
        ),
    );
    assert.equal(ran, false);
    assert.deepEqual(await readApplied(db), before);
    assert.equal(await db.collection(LOCK_COLLECTION).countDocuments(), 0, 'no lock taken');
    for (const mode of ['auto', 'require'] as const)
      await assert.rejects(
        migrationsOnStart(mode, db, quiet, { migrations: list }),
        DatabaseNewerError,
      );
    await migrationsOnStart('off', db, quiet, { migrations: list }); // the escape hatch
  });

  it('a failing migration: the ones before it recorded, it and later ones not, lock released', async () => {
    const db = await freshDb();
    const ran: string[] = [];
    const step = (id: string, fail = false): Migration => ({
      id,
      description: id,
      async up({ db }) {
        await db.collection('steps').insertOne({ id });
        if (fail) throw new Error('boom: the data is not what it expected');
        ran.push(id);
      },
    });
    await assert.rejects(
      migrate(db, {
        migrations: [step('0001-a'), step('0002-b', true), step('0003-c')],
        appVersion: '2.0.0',
        log: quiet,
      }),
      (err: unknown) =>
        err instanceof MigrationFailedError &&
        err.id === '0002-b' &&
        /migration 0002-b failed: boom.*applied before it: 0001-a/.test(err.message),
    );
    assert.deepEqual(ran, ['0001-a']);
    assert.deepEqual(
      (await readApplied(db)).map((r) => r._id),
      ['0001-a'],
    );
    assert.equal(await db.collection(LOCK_COLLECTION).countDocuments(), 0);
    // Fixed: the next run starts at the failed one.
    const r = await migrate(db, {
      migrations: [step('0001-a'), step('0002-b'), step('0003-c')],
      appVersion: '2.0.1',
      log: quiet,
    });
    assert.deepEqual(r.ran, ['0002-b', '0003-c']);
    assert.deepEqual(
      (await readApplied(db)).map((r) => [r._id, r.appVersion]),
      [
        ['0001-a', '2.0.0'],
        ['0002-b', '2.0.1'],
        ['0003-c', '2.0.1'],
      ],
    );
  });

  it('takes over an expired lock; waits for a live one and gives up after the wait', async () => {
    const db = await freshDb();
    const locks = db.collection<{ _id: string; owner?: string }>(LOCK_COLLECTION);
    const stale = {
      _id: 'migrate',
      owner: 'dead-pod',
      host: 'gone',
      appVersion: '0.0.1',
      acquiredAt: new Date(Date.now() - 120_000),
      expiresAt: new Date(Date.now() - 60_000),
    };
    await locks.insertOne(stale as never);
    const r = await migrate(db, { migrations: MIGRATIONS, appVersion: APP_VERSION, log: quiet });
    assert.equal(r.ran.length, MIGRATIONS.length);
    assert.equal(await locks.countDocuments(), 0);

    await locks.insertOne({ ...stale, expiresAt: new Date(Date.now() + 60_000) } as never);
    let ran = false;
    await assert.rejects(
      migrate(db, {
        migrations: [
          ...MIGRATIONS,
          {
            id: '0099-x',
            description: 'x',
            up: async () => {
              ran = true;
            },
          },
        ],
        appVersion: APP_VERSION,
        log: quiet,
        lock: { ttlMs: 3000, waitMs: 700, pollMs: 100 },
      }),
      (err: unknown) =>
        err instanceof LockTimeoutError && /gone, version 0\.0\.1/.test(err.message),
    );
    assert.equal(ran, false);
    assert.equal((await locks.findOne({ _id: 'migrate' }))?.owner, 'dead-pod', 'not stolen');
  });

  it('start-up modes: require refuses pending migrations, auto applies them, off skips', async () => {
    const db = await freshDb();
    await migrationsOnStart('off', db, quiet);
    assert.deepEqual(await readApplied(db), []);
    await assert.rejects(
      migrationsOnStart('require', db, quiet),
      (err: unknown) =>
        err instanceof MigrationsPendingError &&
        new RegExp(`migrations pending: ${MIGRATIONS[0]?.id}`).test(err.message),
    );
    assert.deepEqual(await readApplied(db), [], 'require never writes');
    let indexed = 0;
    await migrationsOnStart('auto', db, quiet, { syncIndexes: async () => void indexed++ });
    assert.equal((await readApplied(db)).length, MIGRATIONS.length);
    assert.equal(indexed, 1, 'indexes synced under the lock after the migrations');
    await migrationsOnStart('require', db, quiet); // up to date: starts
  });
});

/** Runs `node src/migrate.ts` as the Job would, against database `dbName`. */
function runCli(
  dbName: string,
  args: string[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/migrate.ts', ...args], {
      cwd: new URL('..', import.meta.url),
      // Only the database: the migrator needs nothing else.
      env: { PATH: process.env.PATH, MONGODB_URI: uri, MONGODB_DB: dbName, LOG_LEVEL: 'silent' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('the migrate command', () => {
  it('--dry-run lists, a run applies (exit 0), a newer database exits 3, bad usage 2', async () => {
    const db = await freshDb();
    const dry = await runCli(db.databaseName, ['--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    for (const m of MIGRATIONS) assert.match(dry.out, new RegExp(`pending  ${m.id}`));
    assert.match(dry.out, new RegExp(`${MIGRATIONS.length} migration\\(s\\) pending`));
    assert.deepEqual(await readApplied(db), [], 'a dry run changes nothing');

    const run = await runCli(db.databaseName, []);
    assert.equal(run.code, 0, run.err);
    assert.equal((await readApplied(db)).length, MIGRATIONS.length);
    // The index sync ran too: the tasks collection has its unique index.
    const indexes = await db.collection('tasks').indexes();
    assert.ok(
      indexes.some((i) => i.unique === true && 'number' in i.key),
      JSON.stringify(indexes),
    );
    const again = await runCli(db.databaseName, ['--dry-run']);
    assert.match(again.out, /database is up to date/);
    assert.match(again.out, new RegExp(`applied  ${MIGRATIONS[0]?.id}  \\(${APP_VERSION}, `));

    await db.collection<{ _id: string }>(RECORD_COLLECTION).insertOne({
      _id: '9000-from-the-future',
    } as never);
    const newer = await runCli(db.databaseName, []);
    assert.equal(newer.code, 3);
    assert.match(newer.err, /database is newer than this version.*9000-from-the-future; refusing/);

    const bad = await runCli(db.databaseName, ['--force']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /usage: migrate/);
  });
});

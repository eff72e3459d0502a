// The real command, as a Job runs it: exit codes, stdout/stderr, secrets never printed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { backupBucketKeys, cleanFixture, envFor, makeFixture, type Fixture } from './helpers.ts';
import { seed } from './seed.ts';

const cli = new URL('../src/cli.ts', import.meta.url).pathname;

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let f: Fixture;
let dir: string;
before(async () => {
  f = await makeFixture('cli');
  dir = mkdtempSync(join(tmpdir(), 'pms-backup-cli-'));
  await seed(f, { tasks: 3, bigAttachment: false });
});
after(async () => {
  await cleanFixture(f);
  rmSync(dir, { recursive: true, force: true });
});

test('backup with KEEP_LAST, list, verify and restore through the CLI; secrets from files', async () => {
  const { S3_SECRET_KEY: secret = '', ...rest } = envFor(f);
  writeFileSync(join(dir, 'secret'), `${secret}\n`);
  const env = { ...rest, S3_SECRET_KEY_FILE: join(dir, 'secret'), KEEP_LAST: '2' };
  for (let i = 0; i < 3; i++) {
    const r = await run(['backup', '--timestamp', `2026010${i + 1}T000000000Z`], {
      ...env,
      RESULT_FILE: join(dir, 'result.json'),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
  }
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  assert.equal(result.archiveKey, `${f.instance}/20260103T000000000Z.archive.gz`);
  assert.equal(result.pruned, 1);
  assert.equal(typeof result.size, 'number');

  const list = await run(['list', '--json'], env);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(
    (JSON.parse(list.stdout) as { timestamp: string }[]).map((b) => b.timestamp),
    ['20260102T000000000Z', '20260103T000000000Z'],
  );
  const verify = await run(['verify', 'latest'], env);
  assert.equal(verify.code, 0, verify.stderr);
  const restore = await run(['restore', '20260102T000000000Z'], env);
  assert.equal(restore.code, 0, restore.stderr);
  assert.match(restore.stdout, /"documents":/);
});

test('wrong credentials: exit 1, a clear message, no secret in the output, nothing written', async () => {
  const before = await backupBucketKeys(f.backupBucket);
  const r = await run(
    ['backup'],
    envFor(f, {
      BACKUP_S3_SECRET_KEY: 'super-secret-wrong-key',
      RESULT_FILE: join(dir, 'failed.json'),
    }),
  );
  assert.equal(r.code, 1);
  const result = readFileSync(join(dir, 'failed.json'), 'utf8');
  assert.match(result, /"error":".*backup destination .* is not usable/);
  assert.doesNotMatch(result, /super-secret-wrong-key/);
  assert.match(r.stderr, /backup destination .* is not usable/);
  assert.doesNotMatch(r.stdout + r.stderr, /super-secret-wrong-key/);
  assert.deepEqual(await backupBucketKeys(f.backupBucket), before);
});

test('a password in MONGODB_URI is never printed', async () => {
  const r = await run(
    ['backup'],
    envFor(f, { MONGODB_URI: 'mongodb://pms:hunter2-password@127.0.0.1:1/x', TIMEOUT_MS: '500' }),
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /MongoDB is not usable/);
  assert.doesNotMatch(r.stderr, /hunter2/);
});

test('bad configuration and usage: exit 2 with the variable named', async () => {
  const { INSTANCE: _i, ...noInstance } = envFor(f);
  const r = await run(['backup'], noInstance);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /INSTANCE/);
  const u = await run(['restore'], envFor(f));
  assert.equal(u.code, 2);
  assert.match(u.stderr, /needs a backup reference/);
  const b = await run(['restore', 'not a ref'], envFor(f));
  assert.equal(b.code, 2);
});

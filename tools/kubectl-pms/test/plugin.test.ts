// The plugin against the real API server (testenv `kube` + `kwok`): the PmsInstance CRDs from
// crds/, objects and status written with kubectl as the operator would write them, and the
// plugin run as its own process. No operator runs: each test sets the state it reads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, installCrdDir, testEnv } from '@pms/testenv';
import {
  applyYaml,
  b64,
  instanceLabels,
  kubectl,
  patchStatus,
  repoRoot,
  runOnTerminal,
  runPlugin,
  secretValue,
  suffix,
  workload,
} from './helpers.ts';

const kubeconfig = testEnv('kube', 'kwok').kubeconfig;
const id = suffix();
const ns = `plugin-${id}`;
const other = `plugin-other-${id}`;
const opNs = `plugin-op-${id}`;
const env = { KUBECONFIG: kubeconfig };
const tmp = mkdtempSync(join(tmpdir(), 'kubectl-pms-test-'));
// Colour escapes (ESC [ ... m), matched as text so the regexps hold no control characters.
const ESC = '\u001b';
const ANSI = new RegExp(`${ESC}\\[`);
/** Retries an assertion until it holds (testenv's `eventually` with the last failure kept). */
const until = (check: () => void) =>
  eventually(
    'a state the test waits for',
    async () => {
      check();
      return true;
    },
    60_000,
  );
const now = new Date();
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

const secrets = {
  adminPassword: secretValue(),
  mongoRoot: secretValue(),
  mongoApp: secretValue(),
  jwt: secretValue(),
};

function secret(name: string, component: string, data: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, labels: instanceLabels('acme', component) },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

function instance(name: string, namespace: string) {
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name, namespace },
    spec: { version: '0.1.0', host: `${name}.pms.example.com` },
  };
}

before(async () => {
  await installCrdDir(kubeconfig, join(repoRoot, 'crds'), 'kubectl-pms-test');
  for (const n of [ns, other, opNs]) kubectl(kubeconfig, ['create', 'namespace', n]);
  applyYaml(kubeconfig, [
    instance('acme', ns),
    instance('bravo', ns),
    instance('zeta', other),
    secret('acme-admin', 'backend', {
      email: 'admin@acme.pms.example.com',
      password: secrets.adminPassword,
    }),
    secret('acme-mongodb', 'mongodb', {
      'root-password': secrets.mongoRoot,
      username: 'pms',
      password: secrets.mongoApp,
      database: 'pms',
    }),
    secret('acme-jwt', 'backend', { secret: secrets.jwt }),
    {
      // A value that leaked out of its Secret: the report must scrub it here too.
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'acme-config', namespace: ns, labels: instanceLabels('acme', 'backend') },
      data: { NODE_ENV: 'production', LEAKED: `password=${secrets.jwt}` },
    },
    workload('Deployment', ns, 'acme', 'backend', 2),
    workload('Deployment', ns, 'acme', 'worker', 1, false),
    workload('StatefulSet', ns, 'acme', 'mongodb', 1),
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'acme-backup', namespace: ns, labels: instanceLabels('acme', 'backup') },
      spec: {
        schedule: '0 3 * * *',
        suspend: true,
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'backup', image: 'localhost/pms/none:0' }],
              },
            },
          },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'pms-operator',
        namespace: opNs,
        labels: { 'app.kubernetes.io/name': 'pms-operator' },
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'pms-operator' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'pms-operator' } },
          spec: { containers: [{ name: 'operator', image: 'localhost/pms/none:0' }] },
        },
      },
    },
  ]);
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: ago(5),
  });
  patchStatus(kubeconfig, 'pmsinstances.pms.io', ns, 'acme', {
    observedGeneration: 1,
    phase: 'Degraded',
    url: 'http://acme.pms.example.com',
    version: '0.1.0',
    conditions: [
      cond('Ready', 'False', 'ComponentsNotReady', 'worker is not ready'),
      cond('BackendReady', 'True', 'Ready', '2/2 replicas ready'),
      cond('WorkerReady', 'False', 'NotReady', '0/1 replicas ready'),
    ],
    lastBackup: {
      name: 'acme-backup-29000000',
      time: ago(180),
      result: 'Succeeded',
      location: 'backups/acme/20261130T030000000Z.archive.gz',
    },
  });
  patchStatus(kubeconfig, 'pmsinstances.pms.io', ns, 'bravo', {
    phase: 'Ready',
    conditions: [cond('Ready', 'True', 'Ready', 'all components ready')],
  });
  // kwok makes the schedulable pods Ready; the worker's pod stays Pending.
  await until(() => {
    const ready = kubectl(kubeconfig, [
      'get',
      'deployment',
      'acme-backend',
      '-n',
      ns,
      '-o',
      'jsonpath={.status.readyReplicas}',
    ]);
    assert.equal(ready, '2');
    const sts = kubectl(kubeconfig, [
      'get',
      'statefulset',
      'acme-mongodb',
      '-n',
      ns,
      '-o',
      'jsonpath={.status.readyReplicas}',
    ]);
    assert.equal(sts, '1');
  });
});

after(() => {
  for (const n of [ns, other, opNs]) {
    spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'delete', 'namespace', n, '--wait=false']);
  }
});

describe('status', () => {
  it('shows phase, conditions, URL, version, each workload and the last backup, plain when piped', async () => {
    const r = await runPlugin(['status', 'acme', '-n', ns], env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, ANSI);
    assert.match(r.stdout, /PmsInstance acme \(namespace plugin-/);
    assert.match(r.stdout, /Phase:\s+Degraded/);
    assert.match(r.stdout, /Ready:\s+False/);
    assert.match(r.stdout, /URL:\s+http:\/\/acme\.pms\.example\.com/);
    assert.match(r.stdout, /Version:\s+0\.1\.0/);
    assert.match(r.stdout, /WorkerReady\s+False\s+NotReady\s+5m\s+0\/1 replicas ready/);
    assert.match(r.stdout, /backend\s+Deployment\/acme-backend\s+2\/2\s+OK/);
    assert.match(r.stdout, /worker\s+Deployment\/acme-worker\s+0\/1\s+Not ready/);
    assert.match(r.stdout, /mongodb\s+StatefulSet\/acme-mongodb\s+1\/1\s+OK/);
    assert.match(r.stdout, /Schedule:\s+0 3 \* \* \* \(CronJob acme-backup, suspended\)/);
    assert.match(r.stdout, /Last backup:\s+Succeeded \S+ \(3h ago\) by acme-backup-29000000/);
    assert.match(r.stdout, /Location:\s+backups\/acme\/20261130T030000000Z\.archive\.gz/);
  });

  it('colours with --color always (a terminal gets the same)', async () => {
    const r = await runPlugin(['status', 'acme', '-n', ns, '--color', 'always'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`${ESC}[32mOK${ESC}[0m`), r.stdout);
    assert.ok(r.stdout.includes(`${ESC}[31mNot ready${ESC}[0m`), r.stdout);
  });

  it('prints the same facts as JSON with -o json', async () => {
    const r = await runPlugin(['status', 'acme', '-n', ns, '-o', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      phase: string;
      url: string;
      children: { name: string; ready: number; desired: number; health: string }[];
      lastBackup: { result: string };
      conditions: { type: string; status: string }[];
    };
    assert.equal(s.phase, 'Degraded');
    assert.equal(s.url, 'http://acme.pms.example.com');
    assert.deepEqual(
      s.children.map((c) => [c.name, c.ready, c.desired, c.health]),
      [
        ['acme-mongodb', 1, 1, 'ok'],
        ['acme-backend', 2, 2, 'ok'],
        ['acme-worker', 0, 1, 'notReady'],
      ],
    );
    assert.equal(s.lastBackup.result, 'Succeeded');
    assert.deepEqual(
      s.conditions.map((c) => `${c.type}=${c.status}`),
      ['Ready=False', 'BackendReady=True', 'WorkerReady=False'],
    );
  });

  it('without NAME lists the namespace (or every namespace with -A) as a table', async () => {
    const r = await runPlugin(['status', '-n', ns], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+READY\s+PHASE\s+VERSION\s+URL\s+LAST BACKUP\s+AGE$/);
    assert.match(
      r.stdout,
      /acme\s+False\s+Degraded\s+0\.1\.0\s+http:\/\/acme\.pms\.example\.com\s+Succeeded 3h ago/,
    );
    assert.match(r.stdout, /bravo\s+True\s+Ready\s+-\s+-\s+-/);
    assert.doesNotMatch(r.stdout, /zeta/);

    const all = await runPlugin(['status', '-A', '-o', 'json'], env);
    assert.equal(all.code, 0, all.stderr);
    const names = (
      JSON.parse(all.stdout) as { items: { namespace: string; name: string }[] }
    ).items.map((i) => `${i.namespace}/${i.name}`);
    for (const n of [`${ns}/acme`, `${ns}/bravo`, `${other}/zeta`]) assert.ok(names.includes(n), n);

    const empty = await runPlugin(['status', '-n', opNs], env);
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, '');
    assert.match(empty.stderr, /No PmsInstances found in namespace plugin-op-/);
  });

  it('an unknown instance fails with the instances that exist', async () => {
    const r = await runPlugin(['status', 'nope', '-n', ns], env);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `error: PmsInstance "nope" not found in namespace "${ns}"; instances there: acme, bravo\n`,
    );
  });

  it('the wrong namespace fails with the namespace the instance is in', async () => {
    const r = await runPlugin(['status', 'zeta', '-n', ns], env);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: PmsInstance "zeta" not found in namespace "${ns}"; it exists in namespace ${other}: add -n ${other}\n`,
    );
    const empty = await runPlugin(['status', 'zeta', '-n', opNs], env);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /add -n plugin-other-/);
  });
});

describe('kubeconfig, context and namespace as kubectl picks them', () => {
  it("uses the context's namespace, --kubeconfig, --context and a KUBECONFIG list", async () => {
    const cfg = join(tmp, 'with-namespace.kubeconfig');
    writeFileSync(cfg, readFileSync(kubeconfig));
    kubectl(cfg, ['config', 'set-context', '--current', `--namespace=${ns}`]);
    const viaEnv = await runPlugin(['status', 'acme'], { KUBECONFIG: cfg });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.match(viaEnv.stdout, /PmsInstance acme/);

    const viaFlag = await runPlugin(['status', '--kubeconfig', cfg, 'acme', '-o', 'json'], {});
    assert.equal(viaFlag.code, 0, viaFlag.stderr);

    // A missing file in the list is skipped, as kubectl skips it.
    const list = `${join(tmp, 'missing.kubeconfig')}:${cfg}`;
    const viaList = await runPlugin(['status', 'acme'], { KUBECONFIG: list });
    assert.equal(viaList.code, 0, viaList.stderr);

    const current = kubectl(cfg, ['config', 'current-context']).trim();
    const viaContext = await runPlugin(['--context', current, 'status', 'acme'], {
      KUBECONFIG: cfg,
    });
    assert.equal(viaContext.code, 0, viaContext.stderr);

    const badContext = await runPlugin(['status', 'acme', '--context', 'nope'], {
      KUBECONFIG: cfg,
    });
    assert.equal(badContext.code, 1);
    assert.equal(
      badContext.stderr,
      `error: context "nope" is not in kubeconfig ${cfg} (KUBECONFIG); contexts there: ${current}\n`,
    );
  });

  it('no cluster: says which kubeconfig and server it tried', async () => {
    const cfg = join(tmp, 'dead.kubeconfig');
    writeFileSync(cfg, readFileSync(kubeconfig));
    const cluster = kubectl(cfg, [
      'config',
      'view',
      '-o',
      'jsonpath={.contexts[0].context.cluster}',
    ]);
    kubectl(cfg, ['config', 'set-cluster', cluster, '--server=https://127.0.0.1:1']);
    const r = await runPlugin(['status', 'acme', '--kubeconfig', cfg], {});
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
    assert.match(
      r.stderr,
      /^error: cannot reach the Kubernetes API server https:\/\/127\.0\.0\.1:1 \(context "\S+" from kubeconfig .*dead\.kubeconfig \(--kubeconfig\)\): .*ECONNREFUSED.*--kubeconfig or --context\n$/,
    );

    const home = mkdtempSync(join(tmpdir(), 'kubectl-pms-home-'));
    const none = await runPlugin(['status'], { HOME: home });
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      `error: no kubeconfig: KUBECONFIG is unset and ${home}/.kube/config does not exist; set KUBECONFIG or pass --kubeconfig FILE\n`,
    );
  });
});

describe('admin-password', () => {
  it('prints only the password when piped', async () => {
    const r = await runPlugin(['admin-password', 'acme', '-n', ns], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, secrets.adminPassword);
    assert.equal(r.stderr, '');
  });

  it('says the operator has not made the Secret yet', async () => {
    const r = await runPlugin(['admin-password', 'bravo', '-n', ns], env);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^error: the admin Secret plugin-\w+\/bravo-admin does not exist yet: the operator creates it/,
    );
  });
});

describe('backup', () => {
  const backupsOf = () =>
    JSON.parse(kubectl(kubeconfig, ['get', 'pmsbackups.pms.io', '-n', ns, '-o', 'json'])) as {
      items: { metadata: { name: string }; spec: { instanceRef: { name: string } } }[];
    };

  it('creates a PmsBackup and, with --wait, follows it to Succeeded', async () => {
    const run = runPlugin(['backup', 'acme', '-n', ns, '--wait', '--backup-name', 'acme-ok'], env);
    await until(() => assert.ok(backupsOf().items.some((b) => b.metadata.name === 'acme-ok')));
    patchStatus(kubeconfig, 'pmsbackups.pms.io', ns, 'acme-ok', {
      phase: 'Running',
      jobName: 'acme-ok-job',
    });
    await new Promise((r) => setTimeout(r, 500));
    patchStatus(kubeconfig, 'pmsbackups.pms.io', ns, 'acme-ok', {
      phase: 'Succeeded',
      objectKey: 'backups/acme/20261130T090000000Z.archive.gz',
      size: 2048,
      completionTime: new Date().toISOString(),
    });
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pmsbackup.pms.io/acme-ok created\n');
    assert.match(r.stderr, /pmsbackup\.pms\.io\/acme-ok: Running \(job acme-ok-job\)\n/);
    assert.match(
      r.stderr,
      /pmsbackup\.pms\.io\/acme-ok: Succeeded: backups\/acme\/20261130T090000000Z\.archive\.gz \(2048 bytes\)\n$/,
    );
    const b = backupsOf().items.find((x) => x.metadata.name === 'acme-ok');
    assert.equal(b?.spec.instanceRef.name, 'acme');
  });

  it('exits non-zero when the backup fails', async () => {
    const run = runPlugin(['backup', 'acme', '-n', ns, '--wait', '--backup-name', 'acme-bad'], env);
    await until(() => assert.ok(backupsOf().items.some((b) => b.metadata.name === 'acme-bad')));
    patchStatus(kubeconfig, 'pmsbackups.pms.io', ns, 'acme-bad', {
      phase: 'Failed',
      error: 'mongodump: connection refused',
    });
    const r = await run;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: backup acme-bad failed: mongodump: connection refused\n$/);
  });

  it('without --wait returns at once with a generated name; unknown instance fails', async () => {
    const r = await runPlugin(['backup', 'acme', '-n', ns], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^pmsbackup\.pms\.io\/acme-\d{8}t\d{6} created\n$/);
    const bad = await runPlugin(['backup', 'nope', '-n', ns], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not found in namespace "plugin-\w+"; instances there: acme, bravo/);
    const dup = await runPlugin(['backup', 'acme', '-n', ns, '--backup-name', 'acme-ok'], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /PmsBackup "acme-ok" already exists .*--backup-name/);
  });
});

describe('restore', () => {
  const restores = () =>
    (
      JSON.parse(kubectl(kubeconfig, ['get', 'pmsrestores.pms.io', '-n', ns, '-o', 'json'])) as {
        items: { metadata: { name: string }; spec: Record<string, unknown> }[];
      }
    ).items;

  it('refuses without --yes when stdin is not a terminal, and creates nothing', async () => {
    const before = restores().length;
    const r = await runPlugin(['restore', 'acme', '--from', 'acme-ok', '-n', ns], env);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /error: refusing to restore plugin-\w+\/acme without confirmation: stdin is not a terminal; add --yes/,
    );
    assert.equal(restores().length, before);
  });

  it('on a terminal asks for the instance name and goes ahead only when it is typed', async () => {
    const args = ['restore', 'acme', '--from', 'acme-ok', '-n', ns, '--restore-name'];
    const prompt = 'Type the instance name (acme) to confirm: ';
    const wrong = await runOnTerminal([...args, 'acme-tty-no'], env, prompt, 'bravo');
    assert.equal(wrong.code, 1, wrong.stdout);
    assert.match(wrong.stdout, /This replaces ALL data of PmsInstance plugin-\w+\/acme/);
    assert.match(wrong.stdout, /error: cancelled: "bravo" is not "acme"/);
    assert.ok(!restores().some((x) => x.metadata.name === 'acme-tty-no'));
    const right = await runOnTerminal([...args, 'acme-tty'], env, prompt, 'acme');
    assert.equal(right.code, 0, right.stdout);
    assert.match(right.stdout, /pmsrestore\.pms\.io\/acme-tty created/);
    assert.ok(restores().some((x) => x.metadata.name === 'acme-tty'));
  });

  it('checks the backup: missing ones list the usable backups, failed ones are refused', async () => {
    const missing = await runPlugin(['restore', 'acme', '--from', 'nope', '--yes', '-n', ns], env);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /PmsBackup "nope" not found in namespace plugin-\w+; succeeded backups there: acme-ok \(acme\)\n$/,
    );
    const failed = await runPlugin(
      ['restore', 'acme', '--from', 'acme-bad', '--yes', '-n', ns],
      env,
    );
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /PmsBackup "acme-bad" is Failed; only a Succeeded backup can be restored/,
    );
    const noFrom = await runPlugin(['restore', 'acme', '--yes', '-n', ns], env);
    assert.equal(noFrom.code, 2);
    assert.match(noFrom.stderr, /restore needs --from BACKUP .*kubectl pms restore --help/);
  });

  it('with --yes --wait creates the PmsRestore and follows each step', async () => {
    const run = runPlugin(
      [
        'restore',
        'acme',
        '--from',
        'acme-ok',
        '--yes',
        '--wait',
        '--restore-name',
        'acme-r1',
        '-n',
        ns,
      ],
      env,
    );
    await until(() => assert.ok(restores().some((x) => x.metadata.name === 'acme-r1')));
    for (const phase of ['EnteringMaintenance', 'Restoring']) {
      patchStatus(kubeconfig, 'pmsrestores.pms.io', ns, 'acme-r1', {
        phase,
        objectKey: 'backups/acme/20261130T090000000Z.archive.gz',
      });
      await new Promise((r) => setTimeout(r, 400));
    }
    patchStatus(kubeconfig, 'pmsrestores.pms.io', ns, 'acme-r1', { phase: 'Succeeded' });
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pmsrestore.pms.io/acme-r1 created\n');
    assert.match(r.stderr, /acme-r1: EnteringMaintenance: entering maintenance mode\n/);
    assert.match(
      r.stderr,
      /acme-r1: Restoring: restoring backups\/acme\/20261130T090000000Z\.archive\.gz\n/,
    );
    assert.match(
      r.stderr,
      /acme-r1: Succeeded: restored backups\/acme\/20261130T090000000Z\.archive\.gz\n$/,
    );
    const created = restores().find((x) => x.metadata.name === 'acme-r1');
    assert.deepEqual(created?.spec.source, { backupRef: { name: 'acme-ok' } });
    assert.deepEqual(created?.spec.instanceRef, { name: 'acme' });

    const shown = await runPlugin(['status', 'acme', '-n', ns], env);
    assert.match(shown.stdout, /Latest restore\n\s+NAME.*\n\s+acme-r1\s+Succeeded/);
  });

  it('a failed restore exits non-zero with its error', async () => {
    const run = runPlugin(
      [
        'restore',
        'acme',
        '--from',
        'backups/acme/20261130T090000000Z.archive.gz',
        '-y',
        '-w',
        '--restore-name',
        'acme-r2',
        '-n',
        ns,
      ],
      env,
    );
    await until(() => assert.ok(restores().some((x) => x.metadata.name === 'acme-r2')));
    patchStatus(kubeconfig, 'pmsrestores.pms.io', ns, 'acme-r2', {
      phase: 'Failed',
      error: 'archive not found; the instance is left in maintenance mode',
    });
    const r = await run;
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /error: restore acme-r2 failed: archive not found; the instance is left in maintenance mode\n$/,
    );
    const created = restores().find((x) => x.metadata.name === 'acme-r2');
    assert.deepEqual(created?.spec.source, {
      objectKey: 'backups/acme/20261130T090000000Z.archive.gz',
    });
  });
});

describe('hibernate and wake', () => {
  const get = () =>
    JSON.parse(
      kubectl(kubeconfig, ['get', 'pmsinstances.pms.io', 'bravo', '-n', ns, '-o', 'json']),
    ) as {
      metadata: { generation: number };
      spec: { hibernate?: boolean };
    };
  /** Plays the operator: once spec.hibernate is `on`, report the phases on the way to `final`. */
  async function operator(on: boolean, phases: string[]) {
    await until(() => assert.equal(get().spec.hibernate === true, on));
    const generation = get().metadata.generation;
    for (const phase of phases) {
      patchStatus(kubeconfig, 'pmsinstances.pms.io', ns, 'bravo', {
        phase,
        observedGeneration: generation,
        components: { backend: { ready: phase === 'Hibernating' ? 1 : 0, desired: 0 } },
      });
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  it('hibernate --wait sets spec.hibernate and returns once the operator reports Hibernated', async () => {
    const run = runPlugin(['hibernate', 'bravo', '-n', ns, '--wait'], env);
    await operator(true, ['Hibernating', 'Hibernated']);
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pmsinstance.pms.io/bravo hibernating\n');
    assert.match(r.stderr, /pmsinstance\.pms\.io\/bravo: Hibernating \(backend 1\/0\)\n/);
    assert.match(r.stderr, /pmsinstance\.pms\.io\/bravo: Hibernated\n$/);
  });

  it('wake --wait clears it and returns once the instance is Ready again', async () => {
    const run = runPlugin(['wake', 'bravo', '-n', ns, '--wait'], env);
    await operator(false, ['Provisioning', 'Ready']);
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pmsinstance.pms.io/bravo waking up\n');
    assert.match(r.stderr, /bravo: Ready\n$/);
    assert.equal(get().spec.hibernate, false);
    const missing = await runPlugin(['hibernate', 'nope', '-n', ns], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /PmsInstance "nope" not found/);
  });
});

describe('logs', () => {
  it('rejects an unknown component and says when a component has no pods', async () => {
    const bad = await runPlugin(['logs', 'acme', 'database', '-n', ns], env);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /unknown component "database"; one of backend, frontend, worker, mongodb, redis, minio/,
    );
    const none = await runPlugin(['logs', 'acme', 'redis', '-n', ns], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: no redis pods for PmsInstance plugin-\w+\/acme/);
  });
});

describe('report', () => {
  it('bundles spec, status, events, children and logs, with every Secret value redacted', async () => {
    const file = join(tmp, 'acme-report.tar.gz');
    const r = await runPlugin(['report', 'acme', '-n', ns, '-o', file], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${file}\n`);
    const out = mkdtempSync(join(tmpdir(), 'kubectl-pms-report-'));
    const x = spawnSync('tar', ['-xzf', file, '-C', out], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    const root = readdirSync(out)[0] ?? '';
    assert.ok(root.startsWith('pms-report-acme-'));
    const files = (readdirSync(join(out, root), { recursive: true }) as string[]).filter((f) =>
      statSync(join(out, root, f)).isFile(),
    );
    for (const f of [
      'README.txt',
      'pmsinstance.yaml',
      'pmsbackups.yaml',
      'pmsrestores.yaml',
      'events.yaml',
      'children/deployments.yaml',
      'children/statefulsets.yaml',
      'children/secrets.yaml',
      'children/configmaps.yaml',
      'children/pods.yaml',
      'operator/deployments.yaml',
    ]) {
      assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    }
    const read = (f: string) => readFileSync(join(out, root, f), 'utf8');
    assert.match(read('pmsinstance.yaml'), /host: acme\.pms\.example\.com/);
    assert.match(read('pmsinstance.yaml'), /phase: Degraded/);
    assert.match(read('pmsbackups.yaml'), /name: acme-ok/);
    assert.match(read('children/deployments.yaml'), /name: acme-worker/);
    assert.match(read('operator/deployments.yaml'), new RegExp(`namespace: ${opNs}`));
    // Events the controllers wrote about our workloads (ScalingReplicaSet, SuccessfulCreate).
    assert.match(read('events.yaml'), /reason: ScalingReplicaSet/);
    // Each backend pod's log was asked for; kwok serves none, so the answer is recorded.
    assert.ok(
      files.some((f) => /^logs\/acme-backend-[\w-]+\/backend\.log/.test(f)),
      files.join(', '),
    );
    // Secrets keep their keys; values are gone.
    const secretsYaml = read('children/secrets.yaml');
    for (const key of ['root-password', 'password', 'username', 'database', 'secret', 'email']) {
      assert.match(secretsYaml, new RegExp(`\\n\\s+${key}: REDACTED\\n`), key);
    }
    assert.match(read('children/configmaps.yaml'), /LEAKED: password=REDACTED/);
    // No Secret value, decoded or base64, anywhere in the archive.
    const everything = files.map(read).join('\n');
    for (const v of Object.values(secrets)) {
      assert.ok(!everything.includes(v), 'a secret value is in the archive');
      assert.ok(!everything.includes(b64(v)), 'a base64 secret value is in the archive');
    }
    assert.ok(!everything.includes(secrets.adminPassword));
  });
});

describe('command line', () => {
  it('every command has --help; no command prints the overview and exits 2', async () => {
    for (const c of [
      'status',
      'backup',
      'restore',
      'hibernate',
      'wake',
      'admin-password',
      'logs',
      'report',
    ]) {
      const r = await runPlugin([c, '--help'], env);
      assert.equal(r.code, 0, c);
      assert.match(r.stdout, new RegExp(`Usage:\\n  kubectl pms ${c}`), c);
      assert.match(r.stdout, /--kubeconfig FILE/, c);
    }
    const top = await runPlugin([], env);
    assert.equal(top.code, 2);
    assert.match(top.stderr, /Commands:\n\s+status/);
    const unknown = await runPlugin(['frobnicate'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const badFlag = await runPlugin(['status', '--bogus'], env);
    assert.equal(badFlag.code, 2);
    assert.equal(badFlag.stderr, 'error: unknown flag --bogus (see `kubectl pms status --help`)\n');
  });
});

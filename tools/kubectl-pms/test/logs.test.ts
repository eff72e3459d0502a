// `kubectl pms logs` reads real container logs: pods of a busybox image run on the testenv's real
// kubelet node (`node` service), and the plugin reads them through the API server as kubectl does.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, installCrdDir, realNodeNamespaceAnnotations, testEnv } from '@pms/testenv';
import { buildahBuild, importIntoContainerd, ociArchive } from '@pms/testenv/oci';
import {
  applyYaml,
  instanceLabels,
  kubectl,
  mainTs,
  pluginRoot,
  repoRoot,
  runPlugin,
  suffix,
} from './helpers.ts';

const t = testEnv('kube', 'node');
const kubeconfig = t.kubeconfig;
const ns = `plugin-logs-${suffix()}`;
const image = 'localhost/pms/busybox:kubectl-pms';
const env = { KUBECONFIG: kubeconfig };

/** FROM scratch + Debian's static busybox, imported into the node's containerd. */
function buildBusybox(): void {
  const context = mkdtempSync(join(tmpdir(), 'busybox-image-'));
  try {
    copyFileSync('/bin/busybox', join(context, 'busybox'));
    writeFileSync(join(context, 'Containerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\n');
    buildahBuild({ tag: image, file: join(context, 'Containerfile'), context });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  importIntoContainerd(t.node.containerdAddress, ociArchive(image));
}

/** A Deployment whose `component` container counts lines; a sidecar first, to be ignored. */
function counting(component: string, replicas: number) {
  const labels = instanceLabels('shop', component);
  const sh = (script: string) => ['/bin/busybox', 'sh', '-c', script];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `shop-${component}`, namespace: ns, labels },
    spec: {
      replicas,
      selector: {
        matchLabels: {
          'app.kubernetes.io/instance': 'shop',
          'app.kubernetes.io/component': component,
        },
      },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'sidecar',
              image,
              imagePullPolicy: 'Never',
              command: sh('while true; do echo sidecar; sleep 1; done'),
            },
            {
              name: component,
              image,
              imagePullPolicy: 'Never',
              command: sh(
                'i=0; while true; do echo "line $i from $HOSTNAME"; i=$((i+1)); sleep 0.2; done',
              ),
            },
          ],
        },
      },
    },
  };
}

before(async () => {
  buildBusybox();
  await installCrdDir(kubeconfig, join(repoRoot, 'crds'), 'kubectl-pms-test');
  applyYaml(kubeconfig, [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, annotations: realNodeNamespaceAnnotations },
    },
  ]);
  applyYaml(kubeconfig, [
    {
      apiVersion: 'pms.io/v1alpha1',
      kind: 'PmsInstance',
      metadata: { name: 'shop', namespace: ns },
      spec: { version: '0.1.0', host: 'shop.pms.example.com' },
    },
    counting('backend', 2),
    counting('worker', 1),
  ]);
  await eventually(
    'the backend and worker pods Running on the real node',
    async () => {
      const phases = kubectl(kubeconfig, [
        'get',
        'pods',
        '-n',
        ns,
        '-l',
        'app.kubernetes.io/instance=shop',
        '-o',
        'jsonpath={.items[*].status.phase}',
      ]).split(' ');
      return phases.length === 3 && phases.every((p) => p === 'Running');
    },
    120_000,
  );
});

after(() => {
  spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'delete', 'namespace', ns, '--wait=false']);
});

/** `[pod/P] line N from P`: every line names the pod it came from, and it is the right one. */
function checkPrefixed(out: string): Map<string, number[]> {
  const byPod = new Map<string, number[]>();
  for (const line of out.trimEnd().split('\n')) {
    const m = /^\[pod\/(\S+)\] line (\d+) from (\S+)$/.exec(line);
    assert.ok(m, `unexpected line: ${line}`);
    assert.equal(m[1], m[3], 'prefix and pod agree');
    byPod.set(m[1] ?? '', [...(byPod.get(m[1] ?? '') ?? []), Number(m[2])]);
  }
  return byPod;
}

describe('report with running pods', () => {
  it("holds each container's log", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-pms-report-'));
    const r = await runPlugin(['report', 'shop', '-n', ns, '-o', join(dir, 'r.tar.gz')], env);
    assert.equal(r.code, 0, r.stderr);
    const x = spawnSync('tar', ['-xzf', join(dir, 'r.tar.gz'), '-C', dir], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    const root = readdirSync(dir).find((f) => f.startsWith('pms-report-shop-')) ?? '';
    const pods = readdirSync(join(dir, root, 'logs'));
    assert.equal(pods.length, 3);
    for (const pod of pods) {
      const component = pod.startsWith('shop-worker-') ? 'worker' : 'backend';
      assert.match(
        readFileSync(join(dir, root, 'logs', pod, `${component}.log`), 'utf8'),
        new RegExp(`line 0 from ${pod}\\n`),
      );
      assert.match(readFileSync(join(dir, root, 'logs', pod, 'sidecar.log'), 'utf8'), /^sidecar\n/);
    }
  });
});

describe('logs', () => {
  it("prints the component's container of every pod, prefixed with the pod", async () => {
    await eventually('3 lines in each log', async () => {
      const r = await runPlugin(['logs', 'shop', 'backend', '-n', ns, '--tail', '3'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /sidecar/);
      const byPod = checkPrefixed(r.stdout);
      assert.equal(byPod.size, 2);
      for (const lines of byPod.values()) assert.equal(lines.length, 3);
      return true;
    });
  });

  it('one pod: plain lines', async () => {
    const r = await runPlugin(['logs', 'shop', 'worker', '-n', ns, '--tail', '2'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^line \d+ from shop-worker-\S+\nline \d+ from shop-worker-\S+\n$/);
  });

  it('-f follows new lines of every pod until stopped', async () => {
    const child = spawn(
      process.execPath,
      [mainTs, 'logs', 'shop', 'backend', '-n', ns, '-f', '--tail', '1'],
      {
        cwd: pluginRoot,
        env: { PATH: process.env.PATH, ...env },
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    try {
      await eventually(
        'five followed lines from each pod',
        async () => {
          const complete = out.slice(0, out.lastIndexOf('\n') + 1);
          if (complete === '') return false;
          const byPod = checkPrefixed(complete);
          return (
            byPod.size === 2 &&
            [...byPod.values()].every((l) => l.length >= 5 && (l.at(-1) ?? 0) > (l[0] ?? 0))
          );
        },
        30_000,
      );
    } finally {
      child.kill('SIGTERM');
    }
  });
});

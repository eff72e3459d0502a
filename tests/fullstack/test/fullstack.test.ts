// The product's headline promise, end to end, on the test environment's REAL kubelet node:
//   images built here from the repository's Dockerfiles → operator installed with
//   `kubectl apply -k config/default` (running as a pod under its ServiceAccount) →
//   `kubectl apply` of a PmsInstance → Ready with real pods → in Chromium, through the Traefik
//   ingress: sign in with the generated admin credentials, project, task, board move,
//   attachment up and down → the backup CronJob run now → archive in S3 → project deleted →
//   PmsRestore → project, task and attachment back in the browser.
// MongoDB itself cannot run here (no server package is reachable), so the instance uses a
// Mongo-wire database through spec.mongodb.external: FerretDB, as a pod on the same node.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ferretdbObjects, ferretdbUri } from '@pms/images';
import { eventually, testEnv } from '@pms/testenv';
import { launchOptions } from '@pms/testenv/browser';
import {
  applyJson,
  buildAndImportImages,
  installOperator,
  removeTestObjects,
  kubectlFor,
  portForward,
  podReport,
  realNodeNamespace,
  restrictedNamespaceLabels,
  secretValue,
  waitForCondition,
  type Kubectl,
} from './cluster.ts';
import { outputDir } from './paths.ts';
import { Ui } from './ui.ts';

const VERSION = '0.1.0';
const TENANT_NS = 'pms-fullstack';
const DB_NS = 'pms-fullstack-db';
const INSTANCE = 'tenant-a';
const HOST = 'tenant-a.pms.test';
const OPERATOR_NS = 'pms-system';

let kubectl: Kubectl;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let ui: Ui;
let nodeName = '';
let chromiumPath = '';
let ingressIp = '';
let closing = false;
let failed: string | null = null;
let attachmentContent = '';
let backupKey = '';

/** Steps build on each other: after a failure the rest fail fast instead of timing out. */
function step(name: string, fn: () => Promise<void>, timeout = 600_000) {
  it(name, { timeout }, async () => {
    if (failed) throw new Error(`not run: an earlier step failed (${failed})`);
    try {
      await fn();
    } catch (err) {
      failed = name;
      await page?.screenshot({ path: join(outputDir, 'FAILED.png') }).catch(() => undefined);
      for (const ns of [OPERATOR_NS, DB_NS, TENANT_NS]) {
        process.stderr.write(`pods in ${ns}:\n${safe(() => podReport(kubectl, ns))}\n`);
      }
      // CI keeps only the runner's output: what the page told the user and what the API logged.
      const toasts = await page
        ?.locator('.toasts')
        .innerText({ timeout: 1_000 })
        .catch(() => '');
      if (toasts) process.stderr.write(`toasts on the page: ${toasts}\n`);
      for (const component of ['backend', 'worker']) {
        const log = safe(() =>
          kubectl(['logs', '-n', TENANT_NS, `deployment/${INSTANCE}-${component}`, '--tail=30']),
        );
        process.stderr.write(`${component} log (last 30 lines):\n${log}\n`);
      }
      throw err;
    }
  });
}

const safe = (fn: () => string): string => {
  try {
    return fn();
  } catch (err) {
    return String(err);
  }
};

/** Every pod of the namespace runs on the real node, not on a simulated one. */
function assertOnRealNode(namespace: string, nodeName: string): void {
  const pods = kubectl.json<{ items: Array<{ spec: { nodeName?: string } }> }>([
    'get',
    'pods',
    '-n',
    namespace,
  ]);
  assert.ok(pods.items.length > 0, `no pods in ${namespace}`);
  for (const p of pods.items)
    assert.equal(p.spec.nodeName, nodeName, podReport(kubectl, namespace));
}

const apply = (objects: unknown[]) => applyJson(kubectl, objects);

function instance(): unknown {
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name: INSTANCE, namespace: TENANT_NS },
    spec: {
      version: VERSION,
      host: HOST,
      mongodb: { external: { uriSecretRef: { name: 'tenant-a-mongodb-uri', key: 'uri' } } },
      redis: { image: `localhost/pms/redis:${VERSION}` },
      objectStorage: { image: `localhost/pms/minio:${VERSION}` },
      // With an external database the schema asks where backups go: here, explicitly, the
      // instance's own object storage under backups/.
      backup: { enabled: true, schedule: '0 3 * * *', destination: { prefix: 'backups/' } },
    },
  };
}

const secret = (name: string, key: string) => secretValue(kubectl, TENANT_NS, name, key);

/**
 * The tenant's MinIO, reached the way an administrator would: its NetworkPolicy admits only the
 * instance's own pods, so the test goes through `kubectl port-forward`.
 */
async function minioClient(): Promise<{ s3: S3Client; close: () => void }> {
  const forward = await portForward(kubectl, TENANT_NS, `service/${INSTANCE}-minio`, 9000);
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${forward.port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: secret(`${INSTANCE}-minio`, 'access-key'),
      secretAccessKey: secret(`${INSTANCE}-minio`, 'secret-key'),
    },
  });
  return {
    s3,
    close: () => {
      s3.destroy();
      forward.close();
    },
  };
}

/**
 * Chromium starts when the instance is up, not before the cluster steps: those block the event
 * loop in kubectl calls for minutes, which an idle browser connection does not need to survive.
 */
async function openBrowser(): Promise<void> {
  browser = await chromium.launch({
    ...launchOptions(chromiumPath),
    args: [
      ...(launchOptions(chromiumPath).args ?? []),
      // The instance's DNS name points at the node's ingress, as a hosts-file line would.
      `--host-resolver-rules=MAP ${HOST} ${ingressIp}`,
    ],
  });
  browser.on('disconnected', () => {
    if (!closing) process.stderr.write('fullstack: Chromium went away during the test\n');
  });
  ctx = await browser.newContext({
    baseURL: `http://${HOST}`,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  ctx.setDefaultTimeout(45_000);
  page = await ctx.newPage();
  page.on('dialog', (d) => void d.accept());
  ui = new Ui(page, `http://${HOST}`, ingressIp);
}

describe('full stack: kubectl apply to a browser, on a real node', { timeout: 3_600_000 }, () => {
  before(async () => {
    const env = testEnv('kube', 'node', 'storage', 'chromium');
    mkdirSync(outputDir, { recursive: true });
    kubectl = kubectlFor(env.kubeconfig);
    nodeName = env.node.name;
    // Every image the install and the instance use, built from this repository's Dockerfiles.
    buildAndImportImages(env.node.containerdAddress, VERSION);
    chromiumPath = env.chromiumPath;
    ingressIp = env.node.ingressIp;
  });

  after(async () => {
    closing = true;
    await ctx?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (!kubectl) return;
    removeTestObjects(kubectl, [TENANT_NS, DB_NS]);
  });

  step('installs the operator with kubectl apply -k config/default; it runs as a pod', async () => {
    await realNodeNamespace(kubectl, OPERATOR_NS);
    installOperator(kubectl);
    const dep = await waitForCondition(
      kubectl,
      'deployment',
      'pms-operator',
      OPERATOR_NS,
      'Available',
      300_000,
    );
    assert.ok(dep);
    // It talks to the API server with its ServiceAccount's token, not an admin's.
    const pods = kubectl.json<{
      items: Array<{ spec: { serviceAccountName: string; nodeName: string } }>;
    }>(['get', 'pods', '-n', OPERATOR_NS, '-l', 'app.kubernetes.io/name=pms-operator']);
    assert.ok(pods.items.length > 0);
    for (const p of pods.items) assert.equal(p.spec.serviceAccountName, 'pms-operator');
    assertOnRealNode(OPERATOR_NS, nodeName);
  });

  step('runs the tenant database (FerretDB, Mongo wire) on the node', async () => {
    await realNodeNamespace(kubectl, DB_NS);
    // The objects `npm start` runs too; an emptyDir for the data (this environment has no
    // storage service, and the database lives only as long as the test).
    apply(ferretdbObjects({ namespace: DB_NS, image: `localhost/pms/ferretdb:${VERSION}` }));
    await waitForCondition(kubectl, 'deployment', 'ferretdb', DB_NS, 'Available', 180_000);
    assertOnRealNode(DB_NS, nodeName);
  });

  step('a PmsInstance applied with kubectl becomes Ready with real pods', async () => {
    await realNodeNamespace(kubectl, TENANT_NS, restrictedNamespaceLabels);
    kubectl([
      'create',
      'secret',
      'generic',
      'tenant-a-mongodb-uri',
      '-n',
      TENANT_NS,
      '--from-literal',
      `uri=${ferretdbUri(DB_NS)}`,
    ]);
    apply([instance()]);
    await waitForCondition(kubectl, 'pmsinstance', INSTANCE, TENANT_NS, 'Ready', 600_000);
    const pods = kubectl.json<{
      items: Array<{ spec: { nodeName: string }; status: { phase: string } }>;
    }>(['get', 'pods', '-n', TENANT_NS, '--field-selector=status.phase=Running']);
    // backend, frontend, worker, redis, minio: every one a real container on the real node.
    assert.ok(pods.items.length >= 5, podReport(kubectl, TENANT_NS));
    assertOnRealNode(TENANT_NS, nodeName);
    // What the docs tell a platform team to type: the short name, with the printer columns.
    const row = kubectl(['get', 'pms', INSTANCE, '-n', TENANT_NS, '--no-headers']);
    assert.match(
      row,
      new RegExp(`^${INSTANCE}\\s+True\\s+Ready\\s+${VERSION.replaceAll('.', '\\.')}`),
      row,
    );
  });

  step('signs in through the ingress with the generated admin credentials', async () => {
    const email = secret(`${INSTANCE}-admin`, 'email');
    const password = secret(`${INSTANCE}-admin`, 'password');
    await openBrowser();
    await ui.signIn(email, password);
  });

  step(
    'creates a project and a task, moves it on the board, uploads and downloads a file',
    async () => {
      await ui.createProject('Launch plan', 'LAUNCH');
      await ui.quickAddTask('Todo', 'Book the venue');
      await ui.moveTask('LAUNCH-1', 'In Progress');
      attachmentContent = `venue contract ${Date.now()}\n`.repeat(500);
      await ui.uploadAndDownload('LAUNCH-1', 'contract.txt', attachmentContent);
      await ui.screenshot(join(outputDir, 'board.png'), 'LAUNCH');
    },
  );

  step('the backup CronJob, run now, writes an archive to S3', async () => {
    kubectl(['create', 'job', '-n', TENANT_NS, `--from=cronjob/${INSTANCE}-backup`, 'backup-now']);
    await waitForCondition(kubectl, 'job', 'backup-now', TENANT_NS, 'Complete', 300_000);
    const { s3, close } = await minioClient();
    try {
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: 'pms-attachments', Prefix: `backups/${INSTANCE}/` }),
      );
      const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
      const archive = keys.find((k) => k.endsWith('.archive.gz'));
      assert.ok(archive, `no archive under backups/${INSTANCE}/: ${keys.join(', ')}`);
      const size = listed.Contents?.find((o) => o.Key === archive)?.Size ?? 0;
      assert.ok(size > 0, 'the archive is empty');
      backupKey = archive;
    } finally {
      close();
    }
  });

  step('a project deleted through the API comes back with a PmsRestore', async () => {
    await ui.deleteProjectThroughApi('LAUNCH');
    await ui.expectNoProject('Launch plan');
    apply([
      {
        apiVersion: 'pms.io/v1alpha1',
        kind: 'PmsRestore',
        metadata: { name: 'restore-launch', namespace: TENANT_NS },
        spec: { instanceRef: { name: INSTANCE }, source: { objectKey: backupKey } },
      },
    ]);
    await eventually(
      'PmsRestore restore-launch Succeeded',
      async () => {
        const r = kubectl.find('pmsrestore', 'restore-launch', TENANT_NS);
        if (r?.status?.phase === 'Failed') {
          throw new Error(`restore failed: ${JSON.stringify(r.status)}`);
        }
        return r?.status?.phase === 'Succeeded';
      },
      600_000,
    );
    await waitForCondition(kubectl, 'pmsinstance', INSTANCE, TENANT_NS, 'Ready', 300_000);
    await ui.expectRestored(
      'LAUNCH',
      'LAUNCH-1',
      'Book the venue',
      'In Progress',
      'contract.txt',
      attachmentContent,
    );
    await ui.screenshot(join(outputDir, 'restored.png'), 'LAUNCH');
  });
});

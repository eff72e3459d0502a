// Day two of a tenant, on the test environment's REAL kubelet node, through the Traefik ingress:
//   an invited colleague (no SMTP: the admin copies the link from the People page) and the admin
//   on the same board in two Chromium contexts see each other's changes live (server-sent
//   events), also after more than a minute (Traefik v3's entry-point readTimeout default is 60 s;
//   measured here: the testenv's Traefik 3.6 kept a stream open for 70 s); a project webhook
//   delivers a signed event from the worker pod to a receiver on the host (egress opened by
//   spec.webhooks.allowedCIDRs for exactly the host's address), a private target is refused; a
//   spec.version change runs the migration Job on the node, rolls the Deployments and keeps the
//   data; a downgrade is refused by the API server.
// The database is FerretDB as a pod on the node (see fullstack.test.ts for why).
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ferretdbObjects, ferretdbUri } from '@pms/images';
import { eventually, testEnv } from '@pms/testenv';
import { launchOptions } from '@pms/testenv/browser';
import {
  applyJson,
  buildAndImportImages,
  condition,
  installOperator,
  kubectlFor,
  podReport,
  realNodeNamespace,
  removeTestObjects,
  restrictedNamespaceLabels,
  secretValue,
  tagInContainerd,
  waitForCondition,
  type KubeObject,
  type Kubectl,
} from './cluster.ts';
import { ingressApi, login, type IngressApi } from './ingress.ts';
import { outputDir } from './paths.ts';
import { Ui } from './ui.ts';

/** The version the images are built as (the release these sources are, as in fullstack). */
const VERSION = '0.1.0';
/** The "next release": the same images under the patch+1 tag. */
const NEXT = VERSION.replace(/\d+$/, (p) => String(Number(p) + 1));
const OPERATOR_NS = 'pms-system';
const TENANT_NS = 'pms-daytwo';
const DB_NS = 'pms-daytwo-db';
const INSTANCE = 'day-two';
const HOST = 'day-two.pms.test';
const KEY = 'DAY';
const COLLEAGUE = { name: 'Grace Hopper', email: 'grace@day-two.test', password: 'grace-pw-1234' };
/** The images whose tag follows spec.version (redis and minio are pinned in the spec). */
const VERSIONED_IMAGES = ['pms-backend', 'pms-frontend', 'pms-backup'];

let kubectl: Kubectl;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
let admin: Page;
let colleague: Page;
let ui: Ui;
let api: IngressApi;
let nodeName = '';
let chromiumPath = '';
let ingressIp = '';
let hostIp = '';
let receiver: Server | undefined;
let receiverPort = 0;
let failed: string | null = null;
let colleagueStreams = 0;
const deliveries: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

/** Steps build on each other: after a failure the rest fail fast instead of timing out. */
function step(name: string, fn: () => Promise<void>, timeout = 900_000) {
  it(name, { timeout }, async () => {
    if (failed) throw new Error(`not run: an earlier step failed (${failed})`);
    try {
      await fn();
    } catch (err) {
      failed = name;
      await admin?.screenshot({ path: join(outputDir, 'day-two-FAILED-admin.png') }).catch(noop);
      await colleague
        ?.screenshot({ path: join(outputDir, 'day-two-FAILED-colleague.png') })
        .catch(noop);
      for (const ns of [OPERATOR_NS, DB_NS, TENANT_NS])
        process.stderr.write(`pods in ${ns}:\n${safe(() => podReport(kubectl, ns))}\n`);
      throw err;
    }
  });
}

const noop = () => undefined;
const safe = (fn: () => string): string => {
  try {
    return fn();
  } catch (err) {
    return String(err);
  }
};

/**
 * The host's end of the node's veth pair: the node IP is the second address of a /30
 * (tools/testenv/README.md "The real node"), the host holds the first.
 */
function hostSideAddress(nodeIp: string): string {
  const parts = nodeIp.split('.').map(Number);
  const last = parts[3] ?? NaN;
  const network = last & ~3;
  assert.equal(last, network + 2, `node IP ${nodeIp} is not the second address of a /30`);
  return [...parts.slice(0, 3), network + 1].join('.');
}

function assertOnRealNode(namespace: string): void {
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

function instance(): unknown {
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name: INSTANCE, namespace: TENANT_NS },
    spec: {
      version: VERSION,
      host: HOST,
      mongodb: { external: { uriSecretRef: { name: 'day-two-mongodb-uri', key: 'uri' } } },
      redis: { image: `localhost/pms/redis:${VERSION}` },
      objectStorage: { image: `localhost/pms/minio:${VERSION}` },
      // Webhooks may reach exactly the receiver this test runs on the host, on its port.
      webhooks: { ports: [receiverPort], allowedCIDRs: [hostIp] },
    },
  };
}

const secret = (name: string, key: string) => secretValue(kubectl, TENANT_NS, name, key);

/** The webhook receiver: the host side of the node network, an ephemeral port. */
async function startReceiver(): Promise<void> {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    receiver?.once('error', reject);
    receiver?.listen(0, hostIp, resolve);
  });
  receiverPort = (receiver.address() as AddressInfo).port;
}

/** The receiver's check, as API.md "Verifying the signature" tells integrators to do it. */
function signatureValid(secretKey: string, headers: IncomingHttpHeaders, raw: string): boolean {
  const ts = String(headers['x-pms-timestamp'] ?? '');
  if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const given = Buffer.from(String(headers['x-pms-signature'] ?? ''));
  const want = Buffer.from(
    `sha256=${createHmac('sha256', secretKey).update(`${ts}.${raw}`).digest('hex')}`,
  );
  return given.length === want.length && timingSafeEqual(given, want);
}

async function newPage(): Promise<Page> {
  if (!browser) {
    browser = await chromium.launch({
      ...launchOptions(chromiumPath),
      args: [
        ...(launchOptions(chromiumPath).args ?? []),
        `--host-resolver-rules=MAP ${HOST} ${ingressIp}`,
      ],
    });
  }
  const ctx = await browser.newContext({
    baseURL: `http://${HOST}`,
    viewport: { width: 1440, height: 900 },
  });
  ctx.setDefaultTimeout(45_000);
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('dialog', (d) => void d.accept());
  return page;
}

const column = (p: Page, state: string) => p.locator(`section.column[data-state="${state}"]`);

async function openBoard(p: Page): Promise<void> {
  await p.goto(`/projects/${KEY}/board`);
  await column(p, 'Todo').waitFor();
  await p.locator('[data-testid="live-status"][data-status="live"]').waitFor();
}

/** Marks the document: the mark is gone after any reload or full navigation. */
const markDocument = (p: Page) =>
  p.evaluate(() => {
    (window as unknown as { __dayTwo: number }).__dayTwo = 1;
  });
const sameDocument = (p: Page) =>
  p.evaluate(() => (window as unknown as { __dayTwo?: number }).__dayTwo === 1);

/** Adds a task in a board column through the UI; resolves when the card is there. */
async function quickAdd(p: Page, state: string, title: string): Promise<void> {
  const col = column(p, state);
  await col.getByRole('button', { name: `Add a task to ${state}` }).click();
  const input = col.getByLabel(`New task title in ${state}`);
  await input.fill(title);
  await input.press('Enter');
  await col.getByText(title).waitFor();
  await input.press('Escape');
}

/** `state` of a project by name, through the API. */
async function stateId(token: string, name: string): Promise<string> {
  const r = await api('GET', `/projects/${KEY}/states`, undefined, token);
  assert.equal(r.status, 200, r.body);
  const s = (JSON.parse(r.body) as { items: Array<{ id: string; name: string }> }).items.find(
    (x) => x.name === name,
  );
  assert.ok(s, `no state ${name}`);
  return s.id;
}

/**
 * Opens an event stream through the ingress and reports how long it stayed open (null: still
 * open after `capMs`, then closed by us) and how it ended.
 */
function streamLifetime(
  path: string,
  token: string,
  capMs: number,
): Promise<{ endedAfterMs: number | null; how: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    let opened = 0;
    let bytes = 0;
    let done = false;
    const finish = (endedAfterMs: number | null, how: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ endedAfterMs, how, bytes });
    };
    const req = httpRequest(
      {
        host: ingressIp,
        port: 80,
        path: `/api/v1${path}`,
        headers: { host: HOST, accept: 'text/event-stream', authorization: `Bearer ${token}` },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`event stream: HTTP ${res.statusCode}`));
          return;
        }
        opened = Date.now();
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => finish(Date.now() - opened, 'the response ended'));
        res.on('error', (e) => finish(Date.now() - opened, `error ${e.message}`));
        res.on('close', () => finish(Date.now() - opened, 'the connection closed'));
      },
    );
    const timer = setTimeout(() => finish(null, 'still open'), capMs);
    req.on('error', (e) => (opened ? finish(Date.now() - opened, e.message) : reject(e)));
    req.end();
  });
}

describe(
  'day two on a real node: live boards, webhooks, an upgrade',
  { timeout: 3_600_000 },
  () => {
    before(async () => {
      const env = testEnv('kube', 'node', 'storage', 'chromium');
      mkdirSync(outputDir, { recursive: true });
      kubectl = kubectlFor(env.kubeconfig);
      nodeName = env.node.name;
      chromiumPath = env.chromiumPath;
      ingressIp = env.node.ingressIp;
      hostIp = hostSideAddress(env.node.ip);
      api = ingressApi(ingressIp, HOST);
      // Shared with the other files of a run: built and imported once (see cluster.ts).
      buildAndImportImages(env.node.containerdAddress, VERSION);
      for (const image of VERSIONED_IMAGES)
        tagInContainerd(
          env.node.containerdAddress,
          `ghcr.io/pms/${image}:${VERSION}`,
          `ghcr.io/pms/${image}:${NEXT}`,
        );
      await startReceiver();
    });

    after(async () => {
      for (const c of contexts) await c.close().catch(noop);
      await browser?.close().catch(noop);
      receiver?.closeAllConnections();
      await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
      if (kubectl) removeTestObjects(kubectl, [TENANT_NS, DB_NS]);
    });

    step('the operator is installed (or the install already there is reused)', async () => {
      await realNodeNamespace(kubectl, OPERATOR_NS);
      // Server-side apply of the same kustomization: a no-op where another file installed it.
      installOperator(kubectl);
      await waitForCondition(
        kubectl,
        'deployment',
        'pms-operator',
        OPERATOR_NS,
        'Available',
        300_000,
      );
      assertOnRealNode(OPERATOR_NS);
    });

    step(`an instance at ${VERSION} with webhook egress to the host becomes Ready`, async () => {
      await realNodeNamespace(kubectl, DB_NS);
      applyJson(
        kubectl,
        ferretdbObjects({ namespace: DB_NS, image: `localhost/pms/ferretdb:${VERSION}` }),
      );
      await waitForCondition(kubectl, 'deployment', 'ferretdb', DB_NS, 'Available', 180_000);
      await realNodeNamespace(kubectl, TENANT_NS, restrictedNamespaceLabels);
      kubectl([
        'create',
        'secret',
        'generic',
        'day-two-mongodb-uri',
        '-n',
        TENANT_NS,
        '--from-literal',
        `uri=${ferretdbUri(DB_NS)}`,
      ]);
      applyJson(kubectl, [instance()]);
      const ready = await waitForCondition(
        kubectl,
        'pmsinstance',
        INSTANCE,
        TENANT_NS,
        'Ready',
        600_000,
      );
      assert.equal(ready.status?.version, VERSION);
      assertOnRealNode(TENANT_NS);
      // The rendered egress: exactly the host's address, on the receiver's port only.
      const np = kubectl.json<{ spec: { egress: Array<Record<string, unknown>> } }>([
        'get',
        'networkpolicy',
        `${INSTANCE}-worker`,
        '-n',
        TENANT_NS,
      ]);
      assert.ok(
        np.spec.egress.some(
          (r) =>
            JSON.stringify(r) ===
            JSON.stringify({
              ports: [{ port: receiverPort, protocol: 'TCP' }],
              to: [{ ipBlock: { cidr: `${hostIp}/32` } }],
            }),
        ),
        JSON.stringify(np.spec.egress),
      );
    });

    step('an invited colleague and the admin see each other’s changes live', async () => {
      admin = await newPage();
      ui = new Ui(admin, `http://${HOST}`, ingressIp);
      await ui.signIn(
        secret(`${INSTANCE}-admin`, 'email'),
        secret(`${INSTANCE}-admin`, 'password'),
      );
      await ui.createProject('Day two', KEY);
      await quickAdd(admin, 'Todo', 'Before the upgrade');

      // People → Invite: no SMTP here, so the page shows the link for the admin to pass on.
      await admin.goto('/people');
      await admin.getByRole('button', { name: 'Invite people' }).click();
      const dialog = admin.getByRole('dialog', { name: 'Invite people' });
      await dialog.getByLabel('E-mail address').fill(COLLEAGUE.email);
      await dialog.getByRole('checkbox', { name: /Day two/ }).check();
      await dialog.getByLabel('Role in Day two').selectOption('member');
      await dialog.getByRole('button', { name: 'Send invitation' }).click();
      await admin.getByText('E-mail is not set up on this instance').waitFor();
      const link = await admin.getByTestId('issued-url').inputValue();
      assert.match(
        link,
        new RegExp(`^http://${HOST.replaceAll('.', '\\.')}/invite/[A-Za-z0-9_-]{43}$`),
      );

      colleague = await newPage();
      colleague.on('request', (r) => {
        if (r.url().endsWith(`/projects/${KEY}/events`)) colleagueStreams++;
      });
      await colleague.goto(link);
      await colleague.getByRole('heading', { name: 'Join your team on PMS' }).waitFor();
      await colleague.getByLabel('Your name').fill(COLLEAGUE.name);
      await colleague.getByLabel('Choose a password').fill(COLLEAGUE.password);
      await colleague.getByLabel('Repeat the password').fill(COLLEAGUE.password);
      await colleague.getByRole('button', { name: 'Create my account' }).click();
      await colleague.waitForURL(/\/projects$/, { timeout: 90_000 });

      await openBoard(admin);
      await openBoard(colleague);
      await markDocument(colleague);
      await markDocument(admin);

      // The admin creates a task: it appears on the colleague's board without a reload.
      await quickAdd(admin, 'Todo', 'Made live by the admin');
      await column(colleague, 'Todo').getByTestId(`card-${KEY}-2`).waitFor({ timeout: 10_000 });
      // The colleague moves one (as their own API client would): the admin's board follows.
      const token = await login(api, COLLEAGUE.email, COLLEAGUE.password);
      const moved = await api(
        'POST',
        `/projects/${KEY}/tasks/${KEY}-1/move`,
        { stateId: await stateId(token, 'In Progress') },
        token,
      );
      assert.equal(moved.status, 200, moved.body);
      await column(admin, 'In Progress').getByTestId(`card-${KEY}-1`).waitFor({ timeout: 10_000 });
      assert.ok(await sameDocument(colleague), 'the colleague’s board was reloaded');
      assert.ok(await sameDocument(admin), 'the admin’s board was reloaded');
    });

    step('after more than a minute (Traefik’s read timeout) changes still arrive', async () => {
      const before = colleagueStreams;
      // Beside the browsers, one raw stream through the ingress, timed: does the proxy end it?
      const token = await login(api, COLLEAGUE.email, COLLEAGUE.password);
      const [raw] = await Promise.all([
        streamLifetime(`/projects/${KEY}/events`, token, 70_000),
        new Promise((r) => setTimeout(r, 70_000)),
      ]);
      process.stderr.write(
        `day-two: a raw event stream through the ingress ${raw.endedAfterMs === null ? 'was still open after 70 s' : `ended after ${raw.endedAfterMs} ms (${raw.how})`}; ` +
          `the colleague's board opened ${before} stream(s) before the wait and ${colleagueStreams - before} during it\n`,
      );
      await quickAdd(admin, 'Todo', 'After a minute');
      await column(colleague, 'Todo').getByTestId(`card-${KEY}-3`).waitFor({ timeout: 15_000 });
      assert.ok(await sameDocument(colleague), 'the colleague’s board was reloaded');
      assert.ok(raw.bytes > 0, 'the raw stream got nothing');
    });

    let webhookSecret = '';
    step('a webhook delivers a signed event from the worker pod to the host', async () => {
      const token = await login(
        api,
        secret(`${INSTANCE}-admin`, 'email'),
        secret(`${INSTANCE}-admin`, 'password'),
      );
      // Private targets the instance did not open are refused when the webhook is created.
      const kubeApi = kubectl([
        'get',
        'service',
        'kubernetes',
        '-n',
        'default',
        '-o',
        'jsonpath={.spec.clusterIP}',
      ]);
      for (const url of ['http://10.0.0.1/hook', `https://${kubeApi}/api`]) {
        const r = await api('POST', `/projects/${KEY}/webhooks`, { url }, token);
        assert.equal(r.status, 400, `${url}: ${r.body}`);
        assert.match(r.body, /body\.url/);
      }
      const created = await api(
        'POST',
        `/projects/${KEY}/webhooks`,
        { url: `http://${hostIp}:${receiverPort}/hook`, events: ['task.moved'] },
        token,
      );
      assert.equal(created.status, 201, created.body);
      const hook = JSON.parse(created.body) as {
        id: string;
        secret: string;
        delivery: { enabled: boolean };
      };
      assert.ok(hook.delivery.enabled, created.body);
      webhookSecret = hook.secret;

      const t0 = deliveries.length;
      const moved = await api(
        'POST',
        `/projects/${KEY}/tasks/${KEY}-2/move`,
        { stateId: await stateId(token, 'Done') },
        token,
      );
      assert.equal(moved.status, 200, moved.body);
      const got = await eventually(
        'a task.moved delivery at the receiver',
        async () => deliveries.slice(t0).find((d) => d.headers['x-pms-event'] === 'task.moved'),
        60_000,
      );
      assert.ok(signatureValid(webhookSecret, got.headers, got.body), JSON.stringify(got.headers));
      assert.ok(!signatureValid('not-the-secret', got.headers, got.body));
      const payload = JSON.parse(got.body) as {
        event: string;
        project: { key: string };
        data: { changes: Array<{ field: string }> };
      };
      assert.equal(payload.event, 'task.moved');
      assert.equal(payload.project.key, KEY);
      // The delivery log agrees: one successful attempt.
      const log = await api(
        'GET',
        `/projects/${KEY}/webhooks/${hook.id}/deliveries`,
        undefined,
        token,
      );
      const items = (JSON.parse(log.body) as { items: Array<{ ok: boolean; statusCode: number }> })
        .items;
      assert.ok(
        items.some((d) => d.ok && d.statusCode === 204),
        log.body,
      );
    });

    step(
      `spec.version ${VERSION} → ${NEXT}: migration Job on the node, roll-out, data kept`,
      async () => {
        kubectl([
          'patch',
          'pmsinstance',
          INSTANCE,
          '-n',
          TENANT_NS,
          '--type',
          'merge',
          '-p',
          JSON.stringify({ spec: { version: NEXT } }),
        ]);
        const reasons: string[] = [];
        let last: KubeObject | undefined;
        try {
          await eventually(
            `PmsInstance ${INSTANCE} upgraded to ${NEXT}`,
            async () => {
              last = kubectl.find('pmsinstance', INSTANCE, TENANT_NS);
              const up = condition(last, 'Upgrading');
              const seen = up ? `${up.status}/${up.reason ?? ''}` : 'none';
              if (reasons.at(-1) !== seen) reasons.push(seen);
              // eventually() retries through errors: a failed migration ends the wait as a value.
              if (up?.reason === 'MigrationFailed') return `migration failed: ${up.message ?? ''}`;
              return last?.status?.version === NEXT && condition(last, 'Ready')?.status === 'True'
                ? 'upgraded'
                : undefined;
            },
            900_000,
          ).then((outcome) => {
            if (outcome !== 'upgraded') throw new Error(outcome);
          });
        } catch (err) {
          throw new Error(
            `${(err as Error).message}\nUpgrading went: ${reasons.join(' → ')}\nstatus: ${JSON.stringify(last?.status)}`,
            { cause: err },
          );
        }
        process.stderr.write(`day-two: Upgrading went ${reasons.join(' → ')}\n`);
        assert.ok(reasons.includes('True/Migrating'), reasons.join(' → '));
        assert.ok(reasons.includes('True/RollingOut'), reasons.join(' → '));
        assert.equal(reasons.at(-1), 'False/Upgraded');

        // The Job ran the new backend image to completion, on the real node.
        const jobName = `${INSTANCE}-migrate-${NEXT.replaceAll('.', '-')}`;
        const job = kubectl.json<
          KubeObject & {
            spec: { template: { spec: { containers: Array<{ image: string }> } } };
          }
        >(['get', 'job', jobName, '-n', TENANT_NS]);
        assert.equal(condition(job, 'Complete')?.status, 'True', JSON.stringify(job.status));
        assert.equal(
          job.spec.template.spec.containers[0]?.image,
          `ghcr.io/pms/pms-backend:${NEXT}`,
        );
        const jobPods = kubectl.json<{
          items: Array<{ spec: { nodeName?: string }; status: { phase: string } }>;
        }>(['get', 'pods', '-n', TENANT_NS, '-l', `job-name=${jobName}`]);
        assert.ok(
          jobPods.items.some((p) => p.status.phase === 'Succeeded' && p.spec.nodeName === nodeName),
        );

        // Every app Deployment runs the new version.
        for (const component of ['backend', 'frontend', 'worker']) {
          const dep = kubectl.json<{
            spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } };
            status: { updatedReplicas?: number; readyReplicas?: number; replicas?: number };
          }>(['get', 'deployment', `${INSTANCE}-${component}`, '-n', TENANT_NS]);
          for (const c of dep.spec.template.spec.containers)
            assert.match(
              c.image,
              new RegExp(`:${NEXT.replaceAll('.', '\\.')}$`),
              `${component}/${c.name}`,
            );
          assert.equal(dep.status.updatedReplicas, dep.status.replicas, component);
        }
        const row = kubectl(['get', 'pms', INSTANCE, '-n', TENANT_NS, '--no-headers']);
        assert.match(row, new RegExp(`\\s${NEXT.replaceAll('.', '\\.')}\\s`), row);

        // The new pods serve through the ingress: Ready says the pods are ready, not that the
        // ingress controller has already dropped the old endpoints (a request in between can
        // meet a pod that is going away, as a user's would; the user retries, so do we).
        await eventually(
          'the board API answers through the ingress after the roll-out',
          async () => {
            // Through the ingress even the sign-in can meet a pod that went away (502/504).
            const token = await login(api, COLLEAGUE.email, COLLEAGUE.password);
            return (await api('GET', `/projects/${KEY}/board`, undefined, token)).status === 200;
          },
          120_000,
        );
        // The data from before is there, and the boards are live again on the new pods.
        await column(colleague, 'In Progress').getByTestId(`card-${KEY}-1`).waitFor();
        await openBoard(admin);
        await quickAdd(admin, 'Todo', 'After the upgrade');
        // The colleague's stream died with the old pods and reconnects with back-off (at most 15 s
        // between attempts, plus jitter): allow a few attempts.
        await column(colleague, 'Todo').getByTestId(`card-${KEY}-4`).waitFor({ timeout: 60_000 });
        await admin.reload();
        const card = column(admin, 'In Progress').getByTestId(`card-${KEY}-1`);
        await card.getByText('Before the upgrade').waitFor();
        await admin.screenshot({ path: join(outputDir, 'day-two-upgraded.png') });
      },
    );

    step(`a downgrade back to ${VERSION} is refused by the API server`, async () => {
      assert.throws(
        () =>
          kubectl([
            'patch',
            'pmsinstance',
            INSTANCE,
            '-n',
            TENANT_NS,
            '--type',
            'merge',
            '-p',
            JSON.stringify({ spec: { version: VERSION } }),
          ]),
        /spec\.version may not go down \(a downgrade\)/,
      );
      const i = kubectl.find('pmsinstance', INSTANCE, TENANT_NS);
      assert.equal(i?.spec?.version, NEXT);
    });
  },
);

// Tenant isolation, proven on the real node (issue 17; docs/security.md): three tenants installed
// with the operator as a platform team would (namespaces enforcing Pod Security `restricted`),
// then attacks that must fail (connections across tenants, into data stores from outside,
// metrics from the wrong namespace, a private address from a backend, another tenant's Secrets)
// and the flows that must work (ingress to frontend and backend, backend to its stores, DNS,
// the backup Job). The NetworkPolicies are enforced by the test environment's policy engine
// (tools/testenv/README.md). Last, the policies are shown to be what stops the attacks: with
// the operator stopped, deleting them lets the same connection through; the operator puts
// them back and it is refused again.
//
// Tenants a and b use an external database (FerretDB in iso-db: no MongoDB server image can be
// had here) and in-cluster Redis and MinIO; tenant c uses an external database and an external
// Redis (in iso-db), so its egress rules are the "configured endpoints' ports only" kind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ferretdbObjects, ferretdbUri } from '@pms/images';
import { eventually, testEnv } from '@pms/testenv';
import {
  applyJson,
  buildAndImportImages,
  installOperator,
  removeTestObjects,
  kubectlFor,
  podReport,
  realNodeNamespace,
  restrictedNamespaceLabels,
  secretValue,
  waitForCondition,
  type Kubectl,
} from './cluster.ts';
import {
  probeFromContainer,
  probeFromHost,
  probeFromPod,
  report,
  type Outcome,
  type Target,
} from './probe.ts';

const VERSION = '0.1.0';
const OPERATOR_NS = 'pms-system';
const DB_NS = 'iso-db';
const OTHER_NS = 'iso-other';
const MONITORING_NS = 'monitoring';
const TENANTS = ['a', 'b', 'c'] as const;
type Tenant = (typeof TENANTS)[number];
const nsOf = (t: Tenant) => `iso-${t}`;
const hostOf = (t: Tenant) => `${t}.iso.test`;
const PROBE_IMAGE = `ghcr.io/pms/pms-backend:${VERSION}`;
const REDIS_PASSWORD = 'iso-external-redis-pw';

let kubectl: Kubectl;
let ingressIp = '';
let apiServer: Target;
let failed: string | null = null;

/** Steps build on each other: after a failure the rest fail fast instead of timing out. */
function step(name: string, fn: () => Promise<void>, timeout = 900_000) {
  it(name, { timeout }, async () => {
    if (failed) throw new Error(`not run: an earlier step failed (${failed})`);
    try {
      await fn();
    } catch (err) {
      failed = name;
      for (const ns of [OPERATOR_NS, DB_NS, ...TENANTS.map(nsOf)])
        process.stderr.write(`pods in ${ns}:\n${safe(() => podReport(kubectl, ns))}\n`);
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

const wait = (what: string, check: () => Promise<boolean>, ms: number) =>
  eventually(what, async () => ((await check()) ? true : undefined), ms);

/** A Service's ClusterIP and port, as a probe target. */
function service(name: string, namespace: string, port: number, label: string): Target {
  const ip = kubectl(['get', 'service', name, '-n', namespace, '-o', 'jsonpath={.spec.clusterIP}']);
  assert.ok(ip, `service ${namespace}/${name} has no ClusterIP`);
  return { name: label, host: ip, port };
}

const stores = (t: Tenant): Target[] => [
  service(`${t}-redis`, nsOf(t), 6379, `tenant ${t}'s Redis`),
  service(`${t}-minio`, nsOf(t), 9000, `tenant ${t}'s MinIO`),
];
const app = (t: Tenant): Target[] => [
  service(`${t}-backend`, nsOf(t), 4000, `tenant ${t}'s backend`),
  service(`${t}-frontend`, nsOf(t), 3000, `tenant ${t}'s frontend`),
];
const metrics = (t: Tenant) => service(`${t}-backend`, nsOf(t), 9464, `tenant ${t}'s metrics`);
const ferretdb = () => service('ferretdb', DB_NS, 27017, 'the tenants’ database (FerretDB)');
const externalRedis = () => service('db-redis', DB_NS, 6379, 'the external Redis');

function expectAll(
  from: string,
  targets: Target[],
  outcomes: Outcome[],
  want: 'open' | 'refused',
): void {
  const wrong = targets.filter((_, k) =>
    want === 'open' ? outcomes[k] !== 'open' : outcomes[k] === 'open',
  );
  assert.deepEqual(
    wrong.map((t) => t.name),
    [],
    `expected ${want === 'open' ? 'a connection' : 'no connection'}:\n${report(from, targets, outcomes)}`,
  );
}

/** Runs a `node -e` program in a tenant's running backend container; its output. */
const nodeInBackend = (t: Tenant, program: string) =>
  kubectl([
    'exec',
    '-n',
    nsOf(t),
    `deployment/${t}-backend`,
    '-c',
    'backend',
    '--',
    'node',
    '-e',
    program,
  ]);

const fromBackend = (t: Tenant, targets: Target[]) =>
  probeFromContainer(kubectl, nsOf(t), `deployment/${t}-backend`, 'backend', targets);

function instance(t: Tenant): unknown {
  const external = t === 'c';
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name: t, namespace: nsOf(t) },
    spec: {
      version: VERSION,
      host: hostOf(t),
      mongodb: { external: { uriSecretRef: { name: `${t}-mongodb-uri`, key: 'uri' } } },
      redis: external
        ? { external: { urlSecretRef: { name: `${t}-redis-url`, key: 'url' } } }
        : { image: `localhost/pms/redis:${VERSION}` },
      objectStorage: { image: `localhost/pms/minio:${VERSION}` },
      monitoring: { enabled: true },
      backup: { enabled: true, schedule: '0 3 * * *', destination: { prefix: 'backups/' } },
    },
  };
}

/** Redis outside the tenants (what spec.redis.external points at), password-protected. */
function externalRedisObjects(): unknown[] {
  const labels = { app: 'db-redis' };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'db-redis', namespace: DB_NS, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'redis',
                image: `localhost/pms/redis:${VERSION}`,
                imagePullPolicy: 'Never',
                args: [
                  'redis-server',
                  '--requirepass',
                  REDIS_PASSWORD,
                  '--dir',
                  '/data',
                  '--save',
                  '',
                  '--appendonly',
                  'no',
                ],
                ports: [{ containerPort: 6379 }],
                readinessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 2 },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db-redis', namespace: DB_NS },
      spec: { selector: labels, ports: [{ port: 6379, targetPort: 6379 }] },
    },
  ];
}

/** An HTTP request to the ingress controller for a tenant's host name. */
function viaIngress(
  t: Tenant,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: ingressIp,
        port: 80,
        method,
        path,
        headers: {
          host: hostOf(t),
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}

describe('tenant isolation on the real node', { timeout: 3_600_000 }, () => {
  before(() => {
    const env = testEnv('kube', 'node', 'storage');
    kubectl = kubectlFor(env.kubeconfig);
    ingressIp = env.node.ingressIp;
    const server = new URL(process.env.TESTENV_KUBE_SERVER ?? '');
    // A private address outside the cluster's pods that answers: the API server on the host.
    apiServer = { name: 'a private address (the host)', host: server.hostname, port: +server.port };
    buildAndImportImages(env.node.containerdAddress, VERSION);
  });

  after(() => {
    if (!kubectl) return;
    removeTestObjects(kubectl, [...TENANTS.map(nsOf), DB_NS, OTHER_NS, MONITORING_NS]);
  });

  step('three tenants become Ready under Pod Security "restricted"', async () => {
    await realNodeNamespace(kubectl, OPERATOR_NS);
    installOperator(kubectl);
    for (const ns of [DB_NS, OTHER_NS, MONITORING_NS]) await realNodeNamespace(kubectl, ns);
    applyJson(kubectl, [
      ...ferretdbObjects({ namespace: DB_NS, image: `localhost/pms/ferretdb:${VERSION}` }),
      ...externalRedisObjects(),
    ]);
    for (const t of TENANTS) {
      await realNodeNamespace(kubectl, nsOf(t), restrictedNamespaceLabels);
      const secrets: unknown[] = [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: `${t}-mongodb-uri`, namespace: nsOf(t) },
          stringData: { uri: ferretdbUri(DB_NS, `tenant_${t}`) },
        },
      ];
      if (t === 'c')
        secrets.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: `${t}-redis-url`, namespace: nsOf(t) },
          stringData: {
            url: `redis://:${REDIS_PASSWORD}@db-redis.${DB_NS}.svc.cluster.local:6379/0`,
          },
        });
      applyJson(kubectl, secrets);
    }
    await waitForCondition(
      kubectl,
      'deployment',
      'pms-operator',
      OPERATOR_NS,
      'Available',
      300_000,
    );
    for (const d of ['ferretdb', 'db-redis'])
      await waitForCondition(kubectl, 'deployment', d, DB_NS, 'Available', 180_000);
    applyJson(kubectl, TENANTS.map(instance));
    for (const t of TENANTS)
      await waitForCondition(kubectl, 'pmsinstance', t, nsOf(t), 'Ready', 900_000);
  });

  step("tenant a's backend reaches its own stores and database, nothing of tenant b", async () => {
    const own = [...stores('a'), ferretdb()];
    expectAll("a's backend", own, fromBackend('a', own), 'open');
    const foreign = [...stores('b'), ...app('b'), metrics('b'), apiServer];
    expectAll("a's backend", foreign, fromBackend('a', foreign), 'refused');
  });

  step("a plain pod in tenant a's namespace reaches no data store, its own or b's", async () => {
    const targets = [...stores('a'), ...stores('b'), ...app('b'), metrics('a')];
    const got = await probeFromPod(
      kubectl,
      nsOf('a'),
      'attacker',
      PROBE_IMAGE,
      { app: 'attacker' },
      targets,
      wait,
    );
    expectAll('a plain pod in iso-a', targets, got, 'refused');
  });

  step('from another namespace and from the host: no data store, no metrics', async () => {
    const targets = [...stores('a'), ...stores('b'), metrics('a'), metrics('b')];
    const got = await probeFromPod(
      kubectl,
      OTHER_NS,
      'outsider',
      PROBE_IMAGE,
      { app: 'outsider' },
      targets,
      wait,
    );
    expectAll('a pod in iso-other', targets, got, 'refused');
    // Control: the same pod (no policy selects it) does reach a private address, so the
    // backend's refusal above is its policy, not the network.
    const control = await probeFromPod(
      kubectl,
      OTHER_NS,
      'outsider',
      PROBE_IMAGE,
      { app: 'outsider' },
      [apiServer],
      wait,
    );
    expectAll('a pod in iso-other', [apiServer], control, 'open');
    const host = stores('a').concat(stores('b'));
    expectAll('the host', host, await probeFromHost(host), 'refused');
  });

  step('metrics answer the monitoring namespace only, and only on the metrics port', async () => {
    const got = await probeFromPod(
      kubectl,
      MONITORING_NS,
      'prometheus',
      PROBE_IMAGE,
      { app: 'prometheus' },
      [metrics('a'), metrics('b'), ...stores('a')],
      wait,
    );
    expectAll('monitoring', [metrics('a'), metrics('b')], got.slice(0, 2), 'open');
    expectAll('monitoring', stores('a'), got.slice(2), 'refused');
  });

  step("tenant pods carry no API token; their ServiceAccount reads no tenant's Secrets", () => {
    const token = nodeInBackend(
      'a',
      "console.log(require('node:fs').existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token'))",
    );
    assert.equal(token.trim(), 'false');
    const sa = kubectl([
      'get',
      'deployment',
      'a-backend',
      '-n',
      nsOf('a'),
      '-o',
      'jsonpath={.spec.template.spec.serviceAccountName}',
    ]);
    assert.ok(sa);
    for (const ns of [nsOf('a'), nsOf('b')]) {
      // `kubectl auth can-i` answers "no" with exit status 1.
      const canI = spawnSync(
        'kubectl',
        [
          '--kubeconfig',
          kubectl.kubeconfig,
          'auth',
          'can-i',
          'get',
          'secrets',
          '-n',
          ns,
          `--as=system:serviceaccount:${nsOf('a')}:${sa}`,
        ],
        { encoding: 'utf8' },
      ).stdout.trim();
      assert.equal(canI, 'no', `${sa} may read Secrets in ${ns}`);
    }
    return Promise.resolve();
  });

  step('what must work does: ingress, frontend -> backend, DNS, the backup Job', async () => {
    const page = await viaIngress('a', 'GET', '/sign-in');
    assert.equal(page.status, 200, 'the frontend through the ingress');
    const login = await viaIngress('a', 'POST', '/api/v1/auth/login', {
      email: secretValue(kubectl, nsOf('a'), 'a-admin', 'email'),
      password: secretValue(kubectl, nsOf('a'), 'a-admin', 'password'),
    });
    assert.equal(login.status, 200, `the backend through the ingress: ${login.body}`);
    const toBackend = probeFromContainer(kubectl, nsOf('a'), 'deployment/a-frontend', 'frontend', [
      app('a')[0] as Target,
    ]);
    expectAll("a's frontend", [app('a')[0] as Target], toBackend, 'open');
    const resolved = nodeInBackend(
      'a',
      "require('node:dns').promises.lookup('a-redis.iso-a.svc.cluster.local').then((r) => console.log(r.address))",
    );
    assert.equal(resolved.trim(), stores('a')[0]?.host, 'DNS from the backend');
    kubectl(['create', 'job', '-n', nsOf('a'), '--from=cronjob/a-backup', 'iso-backup-now']);
    await waitForCondition(kubectl, 'job', 'iso-backup-now', nsOf('a'), 'Complete', 300_000);
  });

  step("external stores: tenant c's backend reaches their ports, nothing else", async () => {
    const allowed = [ferretdb(), externalRedis()];
    expectAll("c's backend", allowed, fromBackend('c', allowed), 'open');
    const denied = [apiServer, ...stores('a'), ...app('b')];
    expectAll("c's backend", denied, fromBackend('c', denied), 'refused');
  });

  step(
    'the policies are what stops it: deleted, the attack gets through; restored, not',
    async () => {
      kubectl(['scale', 'deployment/pms-operator', '-n', OPERATOR_NS, '--replicas=0']);
      await wait(
        'the operator stopped',
        async () =>
          kubectl([
            'get',
            'pods',
            '-n',
            OPERATOR_NS,
            '-l',
            'app.kubernetes.io/name=pms-operator',
            '-o',
            'name',
          ]).trim() === '',
        120_000,
      );
      const bRedis = stores('b').slice(0, 1);
      const attack = () =>
        probeFromPod(
          kubectl,
          nsOf('a'),
          'attacker',
          PROBE_IMAGE,
          { app: 'attacker' },
          bRedis,
          wait,
        );
      // Every pod of b is selected by two policies (default-deny and its own): both must go.
      kubectl(['delete', 'networkpolicy', '-n', nsOf('b'), 'b-default-deny', 'b-redis']);
      // One allow policy gone breaks a flow that must work: a's backend to a's Redis.
      kubectl(['delete', 'networkpolicy', '-n', nsOf('a'), 'a-redis']);
      try {
        await wait(
          "a's attacker reaches b's Redis once b's policies are gone",
          async () => (await attack())[0] === 'open',
          60_000,
        );
        await wait(
          "a's backend loses its Redis once a-redis is gone",
          async () => fromBackend('a', stores('a').slice(0, 1))[0] !== 'open',
          60_000,
        );
      } finally {
        kubectl(['scale', 'deployment/pms-operator', '-n', OPERATOR_NS, '--replicas=1']);
      }
      await wait(
        'the operator puts the policies back and the attack is refused again',
        async () =>
          Boolean(kubectl.find('networkpolicy', 'b-redis', nsOf('b'))) &&
          Boolean(kubectl.find('networkpolicy', 'b-default-deny', nsOf('b'))) &&
          (await attack())[0] !== 'open',
        300_000,
      );
      await wait(
        "a's backend reaches its Redis again",
        async () => fromBackend('a', stores('a').slice(0, 1))[0] === 'open',
        300_000,
      );
    },
  );
});

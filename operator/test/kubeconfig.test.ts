// The operator's cluster configuration inside a pod, against the real API server: with
// KUBERNETES_SERVICE_HOST/PORT set and the service-account files where the kubelet mounts them
// (token, ca.crt, namespace; here under a temporary root), loadKubeConfig talks to the API
// server as that ServiceAccount, verifying the server with the mounted CA.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuthenticationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { createLogger } from '../src/log.ts';
import { loadKubeConfig, podNamespace, SERVICE_ACCOUNT_DIR } from '../src/kubeconfig.ts';
import {
  adminKubeConfig,
  createTestNamespace,
  deleteTestNamespace,
  operatorKubeConfig,
  type OperatorIdentity,
} from './support/operator-kubeconfig.ts';

const admin = adminKubeConfig();
const log = createLogger('silent', {});
let ns = '';
let identity: OperatorIdentity;
let root = '';

/** Runs `fn` with the variables the kubelet sets in every container. */
function inPod<T>(host: string, port: string, fn: () => T): T {
  const saved = [process.env.KUBERNETES_SERVICE_HOST, process.env.KUBERNETES_SERVICE_PORT];
  process.env.KUBERNETES_SERVICE_HOST = host;
  process.env.KUBERNETES_SERVICE_PORT = port;
  try {
    return fn();
  } finally {
    const restore = (k: string, v: string | undefined) => {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    };
    restore('KUBERNETES_SERVICE_HOST', saved[0]);
    restore('KUBERNETES_SERVICE_PORT', saved[1]);
  }
}

describe('in-cluster configuration (real API server)', () => {
  before(async () => {
    ns = await createTestNamespace(admin, 'incluster');
    identity = await operatorKubeConfig(admin, ns);
    root = mkdtempSync(join(tmpdir(), 'pms-sa-'));
    const dir = join(root, SERVICE_ACCOUNT_DIR);
    mkdirSync(dir, { recursive: true });
    const cluster = admin.getCurrentCluster();
    assert.ok(cluster);
    const ca = cluster.caData
      ? Buffer.from(cluster.caData, 'base64')
      : readFileSync(cluster.caFile ?? '');
    writeFileSync(join(dir, 'ca.crt'), ca);
    writeFileSync(join(dir, 'token'), identity.kc.getCurrentUser()?.token ?? '');
    writeFileSync(join(dir, 'namespace'), ns);
  });
  after(async () => {
    rmSync(root, { recursive: true, force: true });
    await identity?.cleanup();
    await deleteTestNamespace(admin, ns);
  });

  it('authenticates as the mounted ServiceAccount and verifies the server with the mounted CA', async () => {
    const server = new URL(admin.getCurrentCluster()?.server ?? '');
    const kc = inPod(server.hostname, server.port, () =>
      loadKubeConfig(log, { env: process.env, serviceAccountRoot: root }),
    );
    assert.equal(kc.getCurrentCluster()?.server, `https://${server.hostname}:${server.port}`);
    assert.equal(kc.getCurrentCluster()?.skipTLSVerify, false);
    const review = await kc
      .makeApiClient(AuthenticationV1Api)
      .createSelfSubjectReview({ body: {} });
    assert.equal(
      review.status?.userInfo?.username,
      `system:serviceaccount:${ns}:${identity.serviceAccount.name}`,
    );
    // The Lease goes to the namespace of the mounted file; the operator's RBAC applies.
    assert.equal(podNamespace(root), ns);
    const secrets = await kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns });
    assert.ok(Array.isArray(secrets.items));
  });

  it('refuses to start in a pod without the service-account token, saying why', () => {
    const empty = mkdtempSync(join(tmpdir(), 'pms-sa-'));
    try {
      assert.throws(
        () =>
          inPod('10.0.0.1', '443', () =>
            loadKubeConfig(log, { env: process.env, serviceAccountRoot: empty }),
          ),
        /automountServiceAccountToken: true/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

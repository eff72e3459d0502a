// The real node's ingress controller routes for real: an Ingress without a class gets the default
// class `traefik`, its status gets the node's address, and a request from the host to that address
// with the Ingress's Host header is answered by the pod behind it; other hosts get 404.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, realNodeNamespaceAnnotations, testEnv } from '../src/index.ts';
import { buildahBuild, imagesDir, importIntoContainerd, ociArchive } from '../src/oci.ts';

const env = testEnv('kube', 'node');
const kc = new k8s.KubeConfig();
kc.loadFromFile(env.kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const net = kc.makeApiClient(k8s.NetworkingV1Api);
const namespace = `ingress-smoke-${process.pid}-${Date.now().toString(36)}`;
const host = 'echo.ingress.test';
// Debian's busybox-static: one static binary, so the echo server needs no base image.
const echoImage = 'localhost/pms/busybox:static';

/** FROM scratch + /bin/busybox, imported into the node's containerd. */
function buildEchoImage(): void {
  const context = join(imagesDir, 'busybox-context');
  mkdirSync(context, { recursive: true });
  copyFileSync('/usr/bin/busybox', join(context, 'busybox'));
  writeFileSync(
    join(context, 'Containerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nUSER 65532:65532\n',
  );
  buildahBuild({ tag: echoImage, file: join(context, 'Containerfile'), context });
  importIntoContainerd(env.node.containerdAddress, ociArchive(echoImage));
}

/** GET / on the ingress address with a given Host header (fetch cannot set Host). */
function get(hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: env.node.ingressIp,
        port: 80,
        path: '/',
        headers: { host: hostHeader },
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('traefik ingress on the real node', () => {
  before(async () => {
    buildEchoImage();
    await core.createNamespace({
      body: { metadata: { name: namespace, annotations: realNodeNamespaceAnnotations } },
    });
    const labels = { app: 'echo' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'echo' },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              // httpd as PID 1 ignores SIGTERM: do not wait the default 30 s on deletion.
              terminationGracePeriodSeconds: 1,
              securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 },
              containers: [
                {
                  name: 'echo',
                  image: echoImage,
                  imagePullPolicy: 'Never',
                  // Answers every request with the pod's own name.
                  command: ['/bin/busybox', 'sh', '-c'],
                  args: [
                    'echo "$POD_NAME" > /www/index.html && exec /bin/busybox httpd -f -v -p 8080 -h /www',
                  ],
                  env: [
                    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  ],
                  ports: [{ name: 'http', containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
                  volumeMounts: [{ name: 'www', mountPath: '/www' }],
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                },
              ],
              volumes: [{ name: 'www', emptyDir: {} }],
            },
          },
        },
      },
    });
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'echo' },
        spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    });
    // No ingressClassName: the default class must be traefik.
    await net.createNamespacedIngress({
      namespace,
      body: {
        metadata: { name: 'echo' },
        spec: {
          rules: [
            {
              host,
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'echo', port: { name: 'http' } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
  });
  after(async () => {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    // Wait until it is gone: a next run's Ingress names the same host, and Traefik would balance
    // between this namespace's pod and the new one while this one terminates.
    await eventually(
      `namespace ${namespace} to be deleted`,
      async () => {
        try {
          await core.readNamespace({ name: namespace });
          return false;
        } catch (err) {
          return (err as { code?: number }).code === 404;
        }
      },
      90_000,
    );
  });

  it('an Ingress without a class gets traefik, and its status the ingress address', async () => {
    const ing = await net.readNamespacedIngress({ namespace, name: 'echo' });
    assert.equal(ing.spec?.ingressClassName, 'traefik');
    const ip = await eventually('the Ingress status address', async () => {
      const i = await net.readNamespacedIngress({ namespace, name: 'echo' });
      return i.status?.loadBalancer?.ingress?.[0]?.ip;
    });
    assert.equal(ip, env.node.ingressIp);
  });

  it('routes the Ingress host from the host machine to the pod behind it', async () => {
    const pod = await eventually(
      'a Ready echo pod on the real node',
      async () => {
        const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=echo' });
        return pods.items.find((p) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
      },
      120_000,
    );
    assert.equal(pod.spec?.nodeName, env.node.name);
    const res = await eventually('the echo answer through traefik', async () => {
      const r = await get(host);
      return r.status === 200 ? r : undefined;
    });
    assert.equal(res.body.trim(), pod.metadata?.name);
  });

  it('answers 404 for a host no Ingress names', async () => {
    const r = await get('unknown.ingress.test');
    assert.equal(r.status, 404);
  });
});

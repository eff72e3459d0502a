// Helpers of the PmsInstance integration tests: install the CRD, create/read instances, wait.
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { Applier, installCrds, type KubeObject } from '@pms/testenv';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const crdPath = resolve(root, 'crds/pmsinstance.yaml');
export const samplesDir = resolve(root, 'samples');

/**
 * A raw JSON request to the API server. The typed client's serializer drops JSON keys it maps
 * to other property names (a CRD schema's `default`), so CRDs are sent as they are written.
 */
export async function rawRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  accept = 'application/json',
): Promise<{ status: number; body: unknown; headers: IncomingHttpHeaders }> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const opts: RequestOptions = {
    method,
    hostname: server.hostname,
    port: server.port,
    path,
    headers: { 'content-type': contentType, accept },
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolvePromise, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolvePromise({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

/** Server-side applies the PmsInstance CRD (tolerates it being installed) and waits until served. */
export async function installCrd(kc: KubeConfig): Promise<void> {
  const crd = parse(readFileSync(crdPath, 'utf8')) as KubeObject;
  await installCrds(await Applier.fromKubeconfig(kc), [crd], { fieldManager: 'pms-test' });
}

export function readSample(file: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(resolve(samplesDir, file), 'utf8'))
    .map((d) => d.toJS() as KubernetesObject)
    .filter((o) => o && o.kind);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { eventually } from '@pms/testenv';

export function instance(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): KubernetesObject & { spec: Record<string, unknown> } {
  return {
    apiVersion: 'pms.io/v1alpha1',
    kind: 'PmsInstance',
    metadata: { name, namespace },
    spec: { version: '0.1.0', host: `${name}.example.com`, ...spec },
  };
}

/**
 * Static PersistentVolumes pre-bound to the claims a StatefulSet will make (the test cluster
 * has no provisioner). Returns their names so the caller can delete them.
 */
export async function provideVolumes(
  kc: KubeConfig,
  namespace: string,
  claims: { name: string; size: string; storageClassName?: string }[],
): Promise<string[]> {
  const made: string[] = [];
  for (const c of claims) {
    const name = `${namespace}-${c.name}`;
    const res = await rawRequest(kc, 'POST', '/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, labels: { 'pms-test/namespace': namespace } },
      spec: {
        capacity: { storage: c.size },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: c.storageClassName ?? '',
        hostPath: { path: `/tmp/${name}` },
        claimRef: { namespace, name: c.name },
      },
    });
    if (res.status >= 300 && res.status !== 409)
      throw new Error(`creating PV ${name}: ${JSON.stringify(res.body)}`);
    made.push(name);
  }
  return made;
}

export async function deleteVolumes(kc: KubeConfig, namespace: string): Promise<void> {
  await rawRequest(
    kc,
    'DELETE',
    `/api/v1/persistentvolumes?labelSelector=${encodeURIComponent(`pms-test/namespace=${namespace}`)}`,
  );
}

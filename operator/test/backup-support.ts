// Helpers of the PmsBackup / PmsRestore integration tests: install the three CRDs as written
// (raw JSON: the typed client drops schema keys such as `default`), unique namespaces, waits.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { testEnv } from '@pms/testenv';
import { rawRequest } from './support/pms.ts';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function adminKc(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv('kube').kubeconfig);
  return kc;
}

/** A raw JSON request to the API server (see rawRequest in support/pms.ts for why). */
export const raw = rawRequest;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Server-side applies crds/<file> and waits until the API server serves it. */
export async function installCrds(
  kc: KubeConfig,
  files = ['pmsinstance.yaml', 'pmsbackup.yaml', 'pmsrestore.yaml'],
): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const file of files) {
    const crd = parse(readFileSync(resolve(root, 'crds', file), 'utf8')) as {
      metadata: { name: string };
    };
    const res = await raw(
      kc,
      'PATCH',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}?fieldManager=pms-test&force=true`,
      crd,
      'application/apply-patch+yaml',
    );
    if (res.status >= 300)
      throw new Error(`installing ${file} failed: ${JSON.stringify(res.body)}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const live = await ext.readCustomResourceDefinition({ name: crd.metadata.name });
      if (live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
        break;
      }
      if (Date.now() > deadline) throw new Error(`${crd.metadata.name} never became Established`);
      await sleep(100);
    }
  }
}

export async function createNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 404) throw err;
  }
}

export { eventually } from '@pms/testenv';

/** The message of a failed API call (status body). */
export function apiMessage(body: unknown): string {
  return String((body as { message?: unknown } | undefined)?.message ?? JSON.stringify(body));
}

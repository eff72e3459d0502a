// Helpers of the PmsBackup / PmsRestore integration tests: install the three CRDs as written
// (raw JSON: the typed client drops schema keys such as `default`), unique namespaces, waits.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { Applier, installCrds as applyCrds, testEnv, type KubeObject } from '@pms/testenv';
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

/** Server-side applies crds/<file> (raw, every field kept) and waits until the API serves it. */
export async function installCrds(
  kc: KubeConfig,
  files = ['pmsinstance.yaml', 'pmsbackup.yaml', 'pmsrestore.yaml'],
): Promise<void> {
  const crds = files.map(
    (f) => parse(readFileSync(resolve(root, 'crds', f), 'utf8')) as KubeObject,
  );
  await applyCrds(await Applier.fromKubeconfig(kc), crds, { fieldManager: 'pms-test' });
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

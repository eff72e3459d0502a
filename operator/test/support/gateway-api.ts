// The Gateway API CRDs for the tests, from the Go module sigs.k8s.io/gateway-api (its
// config/crd/standard folder) in the Go module cache: not committed here. scripts/setup.sh
// downloads the same module version (it reads GATEWAY_API_MODULE from this file), so a test run
// on a set-up machine needs no network; elsewhere `go mod download` fetches it once.
// v1.4.x: the Gateway API release Traefik v3.6 (the test environment's controller) implements.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { Applier, installCrds, readManifestDir, type KubeObject } from '@pms/testenv';
import { rawRequest } from './pms.ts';

export const GATEWAY_API_MODULE = 'sigs.k8s.io/gateway-api@v1.4.1';

/** The standard-channel CRD manifests of the pinned release, from the Go module cache. */
export async function gatewayApiCrds(): Promise<KubeObject[]> {
  const out = execFileSync('go', ['mod', 'download', '-json', GATEWAY_API_MODULE], {
    encoding: 'utf8',
    // Outside any module: the module cache only, no go.mod of ours is involved.
    cwd: '/',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  const { Dir, Error: err } = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!Dir) throw new Error(`go mod download ${GATEWAY_API_MODULE}: ${err ?? out}`);
  const crds = await readManifestDir(join(Dir, 'config/crd/standard'));
  return crds.filter((o) => o.kind === 'CustomResourceDefinition');
}

export async function installGatewayApi(kc: KubeConfig): Promise<void> {
  await installCrds(await Applier.fromKubeconfig(kc), await gatewayApiCrds(), {
    fieldManager: 'pms-test',
    timeoutMs: 60_000,
  });
}

/** Deletes the HTTPRoute CRD (if any) and waits until the API server stops serving it. */
export async function uninstallHttpRoutes(kc: KubeConfig): Promise<void> {
  const path =
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/httproutes.gateway.networking.k8s.io';
  await rawRequest(kc, 'DELETE', path);
  const deadline = Date.now() + 60_000;
  while ((await rawRequest(kc, 'GET', path)).status !== 404) {
    if (Date.now() > deadline) throw new Error('the HTTPRoute CRD is still there');
    await new Promise((r) => setTimeout(r, 200));
  }
}

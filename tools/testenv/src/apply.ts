// Server-side apply of plain objects, sent as raw JSON exactly as written. client-node's typed
// serializer drops every key it does not know by its TypeScript name (a CRD schema's
// `x-kubernetes-validations` and `default`, any field of a newer API), so manifests read from
// YAML never go through it. JSON is YAML, so the `application/apply-patch+yaml` content type
// takes the object as is. The resource path comes from API discovery (cached per group/version),
// so any kind works: built-in, aggregated or a CRD's, cluster-scoped or namespaced.
//
// One field manager per caller with force=true: a repeated apply converges instead of failing
// on "already exists", and the caller owns the fields it sends.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { TlsClient } from './https.ts';

export const testenvFieldManager = 'pms-testenv';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Response {
  status: number;
  body: string;
}

/** One HTTP exchange with the API server (path includes the query). */
export type Transport = (
  method: string,
  path: string,
  body?: string,
  contentType?: string,
) => Promise<Response>;

export class ApplyError extends Error {
  override name = 'ApplyError';
  readonly status: number;
  readonly reason: string | undefined;
  constructor(what: string, r: Response) {
    let reason: string | undefined;
    let message = r.body;
    try {
      const s = JSON.parse(r.body) as { reason?: string; message?: string };
      reason = s.reason;
      message = s.message ?? r.body;
    } catch {
      // not a Status object
    }
    super(`${what}: ${r.status}${reason ? ` ${reason}` : ''}: ${message}`);
    this.status = r.status;
    this.reason = reason;
  }
}

function send(opts: RequestOptions, body: string | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ ...opts, timeout: 30_000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('timeout', () => req.destroy(new Error(`${opts.method} ${opts.path}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}

function headers(body: string | undefined, contentType: string): Record<string, string> {
  return body === undefined
    ? { accept: 'application/json' }
    : { accept: 'application/json', 'content-type': contentType };
}

/** A transport over the bootstrap client-certificate credentials (no kubeconfig needed). */
export function tlsTransport(c: TlsClient): Transport {
  const server = new URL(c.server);
  return (method, path, body, contentType = 'application/json') =>
    send(
      {
        method,
        hostname: server.hostname.replace(/^\[|\]$/g, ''),
        port: server.port,
        path,
        ca: readFileSync(c.ca),
        cert: readFileSync(c.cert),
        key: readFileSync(c.key),
        headers: headers(body, contentType),
      },
      body,
    );
}

/**
 * A transport from a kubeconfig file or a loaded KubeConfig (any auth it supports: client
 * certificates, tokens, exec plugins). client-node is loaded lazily: only its credential
 * handling is used, and importers of @pms/testenv that never apply do not pay for it.
 */
export async function kubeconfigTransport(kubeconfig: string | KubeConfig): Promise<Transport> {
  let kc: KubeConfig;
  if (typeof kubeconfig === 'string') {
    const k8s = await import('@kubernetes/client-node');
    kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
  } else {
    kc = kubeconfig;
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  return async (method, path, body, contentType = 'application/json') => {
    const opts: RequestOptions = {
      method,
      hostname: server.hostname.replace(/^\[|\]$/g, ''),
      port: server.port || 443,
      path,
      headers: headers(body, contentType),
    };
    await kc.applyToHTTPSOptions(opts);
    return send(opts, body);
  };
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Resolves kinds to resource paths through discovery, one request per group/version. */
export class Discovery {
  private readonly cache = new Map<string, Promise<ApiResource[]>>();
  private readonly transport: Transport;
  constructor(transport: Transport) {
    this.transport = transport;
  }

  private resources(apiVersion: string, refresh: boolean): Promise<ApiResource[]> {
    const cached = this.cache.get(apiVersion);
    if (cached && !refresh) return cached;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const p = this.transport('GET', base).then((r) => {
      // 404: the group/version is not served (yet: a CRD that was just created).
      if (r.status === 404) return [];
      if (r.status !== 200) throw new ApplyError(`discovery of ${apiVersion}`, r);
      const list = JSON.parse(r.body) as { resources?: ApiResource[] };
      // Sub-resources (pods/status) are not kinds of their own.
      return (list.resources ?? []).filter((x) => !x.name.includes('/'));
    });
    this.cache.set(apiVersion, p);
    p.catch(() => this.cache.delete(apiVersion));
    return p;
  }

  /** The object's URL path, e.g. /apis/apps/v1/namespaces/traefik/deployments/traefik. */
  async path(obj: KubeObject, defaultNamespace = 'default'): Promise<string> {
    let res = (await this.resources(obj.apiVersion, false)).find((x) => x.kind === obj.kind);
    // A miss may be a stale cache (the kind's CRD was created after the first look).
    res ??= (await this.resources(obj.apiVersion, true)).find((x) => x.kind === obj.kind);
    if (!res) {
      throw new Error(`the API server serves no kind ${obj.kind} in ${obj.apiVersion}`);
    }
    const base = obj.apiVersion.includes('/')
      ? `/apis/${obj.apiVersion}`
      : `/api/${obj.apiVersion}`;
    const ns = res.namespaced
      ? `/namespaces/${encodeURIComponent(obj.metadata.namespace ?? defaultNamespace)}`
      : '';
    return `${base}${ns}/${res.name}/${encodeURIComponent(obj.metadata.name)}`;
  }
}

export interface ApplyOptions {
  fieldManager: string;
  /** Take over fields owned by other managers (default true). */
  force?: boolean;
  dryRun?: boolean;
  /** For namespaced objects without metadata.namespace (default `default`). */
  namespace?: string;
}

/** Applies objects as raw JSON; returns what the API server stored. */
export class Applier {
  readonly transport: Transport;
  readonly discovery: Discovery;
  constructor(transport: Transport) {
    this.transport = transport;
    this.discovery = new Discovery(transport);
  }

  static async fromKubeconfig(kubeconfig: string | KubeConfig): Promise<Applier> {
    return new Applier(await kubeconfigTransport(kubeconfig));
  }

  async apply(obj: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
    const query = new URLSearchParams({
      fieldManager: opts.fieldManager,
      force: String(opts.force ?? true),
    });
    if (opts.dryRun) query.set('dryRun', 'All');
    const path = `${await this.discovery.path(obj, opts.namespace)}?${query}`;
    const r = await this.transport(
      'PATCH',
      path,
      JSON.stringify(obj),
      'application/apply-patch+yaml',
    );
    if (r.status !== 200 && r.status !== 201) {
      const ns = obj.metadata.namespace ? `${obj.metadata.namespace}/` : '';
      throw new ApplyError(`applying ${obj.kind} ${ns}${obj.metadata.name}`, r);
    }
    return JSON.parse(r.body) as KubeObject;
  }

  /** GET of an object's current state, or undefined when it does not exist. */
  async get(obj: KubeObject, namespace?: string): Promise<KubeObject | undefined> {
    const r = await this.transport('GET', await this.discovery.path(obj, namespace));
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new ApplyError(`reading ${obj.kind} ${obj.metadata.name}`, r);
    return JSON.parse(r.body) as KubeObject;
  }
}

/** Compatibility entry for the environment's own add-ons (bootstrap credentials). */
export async function applyObject(client: TlsClient, obj: KubeObject): Promise<void> {
  await new Applier(tlsTransport(client)).apply(obj, { fieldManager: testenvFieldManager });
}

/** Every non-empty document of a multi-document YAML text, as plain objects. */
export async function parseManifests(text: string): Promise<KubeObject[]> {
  const { parseAllDocuments } = await import('yaml');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && !!o.kind);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether every served version of a CRD answers a list with 200: Established comes first, and
 * for a moment after it the resource still answers 429 "storage is (re)initializing".
 */
async function served(applier: Applier, crd: KubeObject): Promise<boolean> {
  const spec = crd.spec as {
    group?: string;
    names?: { plural?: string };
    versions?: Array<{ name: string; served?: boolean }>;
  };
  for (const v of spec.versions ?? []) {
    if (v.served === false) continue;
    const path = `/apis/${spec.group}/${v.name}/${spec.names?.plural}?limit=1`;
    if ((await applier.transport('GET', path)).status !== 200) return false;
  }
  return true;
}

/**
 * Applies CustomResourceDefinitions and waits until each is Established and served (before that its
 * resources answer 404), so what follows can use them at once.
 */
export async function installCrds(
  applier: Applier,
  crds: KubeObject[],
  opts: ApplyOptions & { timeoutMs?: number },
): Promise<void> {
  for (const crd of crds) await applier.apply(crd, opts);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (const crd of crds) {
    for (;;) {
      const live = (await applier.get(crd)) as
        { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined;
      if (
        live?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') &&
        (await served(applier, crd))
      )
        break;
      if (Date.now() > deadline) {
        throw new Error(
          `CRD ${crd.metadata.name} not Established after ${opts.timeoutMs ?? 30_000} ms`,
        );
      }
      await sleep(100);
    }
  }
}

/** The `*.yaml` files of a folder, in name order, as objects. */
export async function readManifestDir(dir: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort()) {
    out.push(...(await parseManifests(readFileSync(join(dir, f), 'utf8'))));
  }
  return out;
}

/**
 * What `npm start` does with crds/: apply every CRD in the folder with `fieldManager` and wait
 * until they are Established. Tests call this same function to prove the stored schema is the
 * file's.
 */
export async function installCrdDir(
  kubeconfig: string | KubeConfig,
  dir: string,
  fieldManager: string,
): Promise<KubeObject[]> {
  const crds = await readManifestDir(dir);
  await installCrds(await Applier.fromKubeconfig(kubeconfig), crds, { fieldManager });
  return crds;
}

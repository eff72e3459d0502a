// The informers' paginated LIST: `limit` + `continue`, as client-go's pager does, so the first
// list of a kind with thousands of objects neither times out nor arrives as one huge body.
// Raw JSON through client-node's own HTTP library and the (gated) KubeConfig: no model
// round trip (it would turn timestamps into Dates and drop fields the models do not know),
// and every page still passes the gate's rate limiter.
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';

export class ListError extends Error {
  override name = 'ListError';
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

export interface PagedListOptions {
  labelSelector?: string;
  /** Objects per page (the server may return fewer). */
  limit: number;
  /** Called once per object in list order; objects carry apiVersion and kind. */
  onItem: (obj: KubernetesObject) => void;
  /** Called before the list starts over (a continue token expired): drop what onItem got. */
  onRestart?: () => void;
  /** How often an expired continue token may restart the list before it fails (default 3). */
  maxRestarts?: number;
}

export interface PagedListResult {
  /** The resourceVersion of the snapshot the pages belong to: the watch resumes from it. */
  resourceVersion: string;
  pages: number;
  restarts: number;
}

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubernetesObject[];
  message?: string;
}

const http = new IsomorphicFetchHttpLibrary();

async function getPage(kc: KubeConfig, url: URL): Promise<ListBody> {
  const ctx = new RequestContext(url.toString(), HttpMethod.GET);
  ctx.setHeaderParam('Accept', 'application/json');
  await kc.applySecurityAuthentication(ctx);
  const res = await http.send(ctx).toPromise();
  const text = await res.body.text();
  let body: ListBody = {};
  try {
    body = JSON.parse(text) as ListBody;
  } catch {
    // not JSON (a proxy's error page): the status code says enough
  }
  if (res.httpStatusCode !== 200) {
    throw new ListError(
      res.httpStatusCode,
      `LIST ${url.pathname}: ${body.message ?? text.slice(0, 200)}`,
    );
  }
  return body;
}

/**
 * Lists `path` (a collection path) page by page. All pages of one pass come from the same
 * snapshot; when the server no longer has it (410 Gone on a continue token, after about
 * 5 minutes by default) the list starts over from a fresh snapshot.
 */
export async function pagedList(
  kc: KubeConfig,
  path: string,
  kind: { apiVersion: string; kind: string },
  opts: PagedListOptions,
): Promise<PagedListResult> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('No currently active cluster');
  const maxRestarts = opts.maxRestarts ?? 3;
  let restarts = 0;
  let pages = 0;
  let token: string | undefined;
  for (;;) {
    const url = new URL(server + path);
    url.searchParams.set('limit', String(opts.limit));
    if (opts.labelSelector) url.searchParams.set('labelSelector', opts.labelSelector);
    if (token) url.searchParams.set('continue', token);
    let body: ListBody;
    try {
      body = await getPage(kc, url);
    } catch (err) {
      if (err instanceof ListError && err.code === 410 && token && restarts < maxRestarts) {
        restarts += 1;
        token = undefined;
        opts.onRestart?.();
        continue;
      }
      throw err;
    }
    pages += 1;
    // List items carry no apiVersion/kind; the cache and the serializer want them.
    for (const item of body.items ?? [])
      opts.onItem({ ...item, apiVersion: kind.apiVersion, kind: kind.kind });
    token = body.metadata?.continue || undefined;
    if (!token) return { resourceVersion: body.metadata?.resourceVersion ?? '', pages, restarts };
  }
}

// Plain HTTP to a tenant's API through the node's ingress (Traefik), as a script of the tenant
// would call it: the request goes to the ingress address with the instance's Host header.
import { request } from 'node:http';

export interface ApiAnswer {
  status: number;
  body: string;
}

export type IngressApi = (
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<ApiAnswer>;

/** A caller of `http://<host>/api/v1<path>` through the ingress at `ingressIp:80`. */
export function ingressApi(ingressIp: string, host: string): IngressApi {
  return (method, path, body, token) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<ApiAnswer>((resolve, reject) => {
      const req = request(
        {
          host: ingressIp,
          port: 80,
          method,
          path: `/api/v1${path}`,
          headers: {
            host,
            ...(payload ? { 'content-type': 'application/json' } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  };
}

/** Logs in through the ingress; the access token. */
export async function login(api: IngressApi, email: string, password: string): Promise<string> {
  const r = await api('POST', '/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login as ${email}: ${r.status} ${r.body}`);
  return (JSON.parse(r.body) as { accessToken: string }).accessToken;
}

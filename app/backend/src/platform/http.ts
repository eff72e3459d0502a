// Declarative routes: one place validates input with zod (400 with field paths), checks the
// authentication level, serialises the result, and records the operation for the OpenAPI
// document. Handlers return data (200/201 JSON) or undefined (204).
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { requirePrincipal, type Principal } from './auth.ts';
import { AppError, type ErrorDetail } from './errors.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OpSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  auth: 'public' | 'user' | 'admin';
  body?: B;
  query?: Q;
  params?: P;
  status?: number;
  /** The handler writes the response itself (streams, redirects). */
  raw?: boolean;
  /** Extra request body media type documented instead of JSON (uploads). */
  rawBody?: string;
  /**
   * Documents optimistic concurrency: `read` answers with an `ETag`; `write` also takes an
   * optional `If-Match` and may answer 412 (the handler does the checking).
   */
  etag?: 'read' | 'write';
}

export interface Ctx<B, Q, P> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  params: P;
  /** The caller; throws 401 on public routes without credentials. */
  readonly user: Principal;
}

export interface Operation {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  auth: 'public' | 'user' | 'admin';
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  status: number;
  rawBody?: string;
  etag?: 'read' | 'write';
}

export function issuesToDetails(issues: z.core.$ZodIssue[], prefix: string): ErrorDetail[] {
  return issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: string,
): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new AppError('validation_error', 'Invalid request', {
      details: issuesToDetails(r.error.issues, prefix),
    });
  return r.data;
}

export class Api {
  readonly operations: Operation[] = [];
  readonly router: Router;
  readonly prefix: string;
  constructor(router: Router, prefix: string) {
    this.router = router;
    this.prefix = prefix;
  }

  op<
    B extends z.ZodType = z.ZodUnknown,
    Q extends z.ZodType = z.ZodUnknown,
    P extends z.ZodType = z.ZodUnknown,
  >(
    spec: OpSpec<B, Q, P>,
    handler: (ctx: Ctx<z.output<B>, z.output<Q>, z.output<P>>) => Promise<unknown>,
  ): void {
    const status = spec.status ?? (spec.method === 'post' ? 201 : 200);
    this.operations.push({
      method: spec.method,
      path: `${this.prefix}${spec.path}`,
      summary: spec.summary,
      tag: spec.tag,
      auth: spec.auth,
      status,
      ...(spec.body ? { body: spec.body } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.rawBody ? { rawBody: spec.rawBody } : {}),
      ...(spec.etag ? { etag: spec.etag } : {}),
    });
    this.router[spec.method](spec.path, async (req: Request, res: Response) => {
      if (spec.auth !== 'public') requirePrincipal(req, spec.auth);
      const details: ErrorDetail[] = [];
      const part = <T extends z.ZodType>(schema: T | undefined, value: unknown, prefix: string) => {
        if (!schema) return value;
        const r = schema.safeParse(value ?? (prefix === 'body' ? {} : value));
        if (r.success) return r.data;
        details.push(...issuesToDetails(r.error.issues, prefix));
        return undefined;
      };
      const params = part(spec.params, req.params, 'params');
      const query = part(spec.query, req.query, 'query');
      const body = spec.rawBody ? undefined : part(spec.body, req.body, 'body');
      if (details.length > 0)
        throw new AppError('validation_error', 'Invalid request', { details });
      const ctx = {
        req,
        res,
        body,
        query,
        params,
        get user() {
          return requirePrincipal(req, 'user');
        },
      } as Ctx<z.output<B>, z.output<Q>, z.output<P>>;
      const result = await handler(ctx);
      if (spec.raw || res.headersSent) return;
      if (result === undefined) res.status(204).end();
      else res.status(status).json(result);
    });
  }
}

// Shared input pieces ---------------------------------------------------------------------------

export const ZObjectId = z.string().regex(/^[a-f0-9]{24}$/, 'must be a 24-character hex id');

/** Query values may arrive once, repeated, or comma-separated: always a string list. */
export const ZQueryList = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean),
);

export const ZLimit = z.coerce.number().int().min(1).max(100).default(50);

export const ZQueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

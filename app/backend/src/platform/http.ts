// Declarative routes: one place validates input with zod (400 with field paths), checks the
// authentication level, serialises the result, and records the operation for the OpenAPI
// document. Handlers return data (200/201 JSON) or undefined (204). Outside production the
// result is also checked against the declared `response` schema (see checkResponse), so every
// integration test doubles as a check that the document tells the truth.
import type { Request, Response, Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { requirePrincipal, type Principal } from './auth.ts';
import { AppError, type ErrorDetail } from './errors.ts';
import { JsonText } from './json-text.ts';

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
  /**
   * The JSON body of the success response, as it is on the wire (dates as ISO strings). Write
   * it with z.strictObject: an undeclared field fails the check outside production.
   */
  response?: z.ZodType;
  /** Media types of a raw (`raw: true`) success response: `text/event-stream`, a file... */
  produces?: string[];
  /** Error statuses this operation answers besides the ones derived from its declaration. */
  errors?: number[];
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
  raw: boolean;
  response?: z.ZodType;
  produces?: string[];
  errors: number[];
}

export interface ApiOptions {
  /** Check each JSON response against its schema (development and test; never production). */
  checkResponses?: boolean;
  logger?: Logger;
}

/**
 * The error statuses an operation can answer, from its declaration: 400 when it takes input,
 * 401/403 by auth level, 404 when it addresses something by path, 412 with If-Match, 413 for
 * uploads, 429 always (rate limits), plus the ones the operation lists itself.
 */
export function errorStatuses(op: Omit<Operation, 'errors'>, extra: number[] = []): number[] {
  const out = new Set(extra);
  if (op.body || op.query || op.params || op.rawBody) out.add(400);
  if (op.auth !== 'public') out.add(401);
  if (op.auth === 'admin') out.add(403);
  if (op.params) out.add(404);
  if (op.etag === 'write') out.add(412);
  if (op.rawBody) out.add(413);
  out.add(429);
  return [...out].sort((a, b) => a - b);
}

/**
 * Outside production: the value as JSON.stringify sends it, parsed by the declared schema. A
 * mismatch is a bug of this server (the document or the handler is wrong), so it answers 500
 * and logs the operation and the path of every mismatch.
 */
export function checkResponse(
  op: Pick<Operation, 'method' | 'path' | 'response'>,
  value: unknown,
  logger?: Logger,
): void {
  if (!op.response) return;
  const wire: unknown = JSON.parse(JSON.stringify(value));
  const r = op.response.safeParse(wire);
  if (r.success) return;
  const name = `${op.method.toUpperCase()} ${op.path}`;
  const mismatches = issuesToDetails(r.error.issues, 'response');
  logger?.error({ operation: name, mismatches }, 'response does not match its declared schema');
  throw new AppError(
    'internal_error',
    `The response of ${name} does not match its declared schema: ${mismatches
      .map((m) => `${m.path}: ${m.message}`)
      .join('; ')}`,
  );
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
  readonly #options: ApiOptions;
  constructor(router: Router, prefix: string, options: ApiOptions = {}) {
    this.router = router;
    this.prefix = prefix;
    this.#options = options;
  }

  op<
    B extends z.ZodType = z.ZodUnknown,
    Q extends z.ZodType = z.ZodUnknown,
    P extends z.ZodType = z.ZodUnknown,
  >(
    spec: OpSpec<B, Q, P>,
    handler: (ctx: Ctx<z.output<B>, z.output<Q>, z.output<P>>) => Promise<unknown>,
  ): void {
    // A handler that returns nothing answers 204; DELETEs do unless they say otherwise.
    const status =
      spec.status ?? (spec.method === 'post' ? 201 : spec.method === 'delete' ? 204 : 200);
    const declared = {
      method: spec.method,
      path: `${this.prefix}${spec.path}`,
      summary: spec.summary,
      tag: spec.tag,
      auth: spec.auth,
      status,
      raw: spec.raw ?? false,
      ...(spec.body ? { body: spec.body } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.rawBody ? { rawBody: spec.rawBody } : {}),
      ...(spec.etag ? { etag: spec.etag } : {}),
      ...(spec.response ? { response: spec.response } : {}),
      ...(spec.produces ? { produces: spec.produces } : {}),
    };
    const operation: Operation = { ...declared, errors: errorStatuses(declared, spec.errors) };
    this.operations.push(operation);
    const { checkResponses, logger } = this.#options;
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
      else if (status === 204 && checkResponses)
        throw new AppError(
          'internal_error',
          `${operation.method.toUpperCase()} ${operation.path} is documented as 204 but returned a body`,
        );
      else if (result instanceof JsonText) {
        if (checkResponses)
          checkResponse(
            operation,
            JSON.parse(result.text),
            (req as { log?: Logger }).log ?? logger,
          );
        if (result.etag) res.setHeader('ETag', result.etag);
        res.status(status).type('application/json').send(result.bytes);
      } else {
        if (checkResponses)
          checkResponse(operation, result, (req as { log?: Logger }).log ?? logger);
        res.status(status).json(result);
      }
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

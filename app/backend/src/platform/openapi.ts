// OpenAPI 3.1 generated from the same zod schemas the routes validate with: requests from the
// input schemas, success responses from each operation's `response` schema (shared resources
// as components.schemas with $ref), error responses from the statuses the operation declares.
import { z } from 'zod';
import { ERROR_STATUS } from './errors.ts';
import type { Operation } from './http.ts';
import { components } from './response.ts';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** What each error status means here (the body is always an `Error`). */
export const ERROR_MEANING: Record<number, string> = {
  400: 'Invalid input: `error` is `validation_error` (or `bad_request`); `details` lists each bad field by path (`body.title`, `query.limit`)',
  401: 'Not signed in, or the access token expired or was revoked',
  403: 'Signed in, but the role does not allow it (or the feature is disabled)',
  404: 'Not found, or not visible to the caller',
  409: 'Conflicts with the current state (a taken key or name, the last owner, an import running...)',
  410: 'The link was used, revoked or has expired',
  411: 'Content-Length is required',
  412: 'If-Match does not match: `error: precondition_failed`, `current` holds the current resource',
  413: 'The body is too large',
  415: 'Unsupported media type',
  429: 'Rate limited: `Retry-After` says in how many seconds to try again',
};

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: {
      type: 'string',
      enum: Object.keys(ERROR_STATUS),
      description: 'Machine-readable code',
    },
    message: { type: 'string', description: 'For people' },
    details: {
      type: 'array',
      description: 'One entry per invalid field (400)',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
    current: { description: 'The current resource (412 only)' },
  },
};

/**
 * Converts every component and every operation's response in one pass, so that a component used
 * inside a response becomes a $ref to components.schemas and each component is written once.
 */
function responseSchemas(ops: Operation[]) {
  const registry = z.registry<{ id: string }>();
  const named = components();
  for (const [schema, id] of named) registry.add(schema, { id });
  // Operation-only schemas get a temporary id (one per schema: several operations may share one).
  const temporary = new Map<z.ZodType, string>();
  const opIds = new Map<Operation, string>();
  for (const op of ops) {
    if (!op.response) continue;
    let id = named.get(op.response) ?? temporary.get(op.response);
    if (!id) {
      id = `__op${temporary.size}`;
      temporary.set(op.response, id);
      registry.add(op.response, { id });
    }
    opIds.set(op, id);
  }
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const clean = (s: JsonSchema): JsonSchema => {
    const { $schema: _s, $id: _i, ...rest } = s;
    return rest;
  };
  const shared: Record<string, JsonSchema> = {};
  for (const id of named.values()) if (schemas[id]) shared[id] = clean(schemas[id]);
  const forOp = (op: Operation): JsonSchema | undefined => {
    const id = opIds.get(op);
    if (!id) return undefined;
    return id.startsWith('__op') ? clean(schemas[id] ?? {}) : ref(id);
  };
  return { shared, forOp };
}

const errorResponse = (status: number) => ({
  description: ERROR_MEANING[status] ?? 'Error',
  ...(status === 429
    ? {
        headers: {
          'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
        },
      }
    : {}),
  content: { 'application/json': { schema: ref('Error') } },
});

function parametersOf(op: Operation): unknown[] {
  const parameters: unknown[] = [];
  for (const [where, schema] of [
    ['path', op.params],
    ['query', op.query],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema) as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      const { description, ...rest } = s;
      parameters.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  if (op.etag === 'write')
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description:
        'ETag of the version the change was based on; another version answers 412 with `current`',
      schema: { type: 'string' },
    });
  return parameters;
}

function successResponse(op: Operation, schema: JsonSchema | undefined) {
  const success: Record<string, unknown> = {
    description: op.status === 204 ? 'No content' : 'Success',
  };
  if (op.etag)
    success.headers = {
      ETag: { description: 'The version of the returned resource', schema: { type: 'string' } },
    };
  if (schema) success.content = { 'application/json': { schema } };
  else if (op.produces)
    success.content = Object.fromEntries(
      op.produces.map((type) => [
        type,
        {
          schema:
            type === 'application/json'
              ? { type: 'object', description: 'A file: the JSON export format (see API.md)' }
              : { type: 'string', format: 'binary' },
        },
      ]),
    );
  return success;
}

export function buildOpenApi(ops: Operation[], info: { version: string; serverUrl: string }) {
  const { shared, forOp } = responseSchemas(ops);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const path = op.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const operation: Record<string, unknown> = {
      summary: op.summary,
      tags: [op.tag],
      operationId: `${op.method}_${op.path.replace(/[^A-Za-z0-9]+/g, '_')}`,
      parameters: parametersOf(op),
      responses: {
        [String(op.status)]: successResponse(op, forOp(op)),
        ...Object.fromEntries(op.errors.map((s) => [String(s), errorResponse(s)])),
        default: {
          description: 'Unexpected error (500; 503 while a backing service is down)',
          content: { 'application/json': { schema: ref('Error') } },
        },
      },
      ...(op.auth === 'public' ? { security: [] } : {}),
      'x-auth': op.auth,
    };
    if (op.rawBody)
      operation.requestBody = {
        required: true,
        content: { [op.rawBody]: { schema: { type: 'string', format: 'binary' } } },
      };
    else if (op.body)
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(op.body) } },
      };
    (paths[path] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'PMS API', version: info.version },
    servers: [{ url: info.serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'JWT access token or pms_ API token',
        },
      },
      schemas: { Error: ERROR_SCHEMA, ...shared },
    },
    paths,
  };
}

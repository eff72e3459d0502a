// OpenAPI 3.1 generated from the same zod schemas the routes validate with.
import { z } from 'zod';
import type { Operation } from './http.ts';

const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

export function buildOpenApi(ops: Operation[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const path = op.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', op.params],
      ['query', op.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, s] of Object.entries(js.properties ?? {}))
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: s,
        });
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
    const success: Record<string, unknown> = {
      description: op.status === 204 ? 'No content' : 'Success',
    };
    if (op.etag)
      success.headers = {
        ETag: { description: 'The version of the returned resource', schema: { type: 'string' } },
      };
    const operation: Record<string, unknown> = {
      summary: op.summary,
      tags: [op.tag],
      operationId: `${op.method}_${op.path.replace(/[^A-Za-z0-9]+/g, '_')}`,
      parameters,
      responses: {
        [String(op.status)]: success,
        ...(op.etag === 'write'
          ? {
              '412': {
                description:
                  'If-Match does not match: `error: precondition_failed`, `current` holds the current resource',
                content: {
                  'application/json': { schema: { $ref: '#/components/schemas/Error' } },
                },
              },
            }
          : {}),
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      ...(op.auth === 'public' ? { security: [] } : {}),
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
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string' },
            message: { type: 'string' },
            details: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    paths,
  };
}

export const docsHtml = (specUrl: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>PMS API</title>
<style>body{font:14px system-ui;margin:2rem;max-width:70rem}code{background:#eee;padding:0 .3em}
.op{border-bottom:1px solid #ddd;padding:.4rem 0}.m{display:inline-block;width:4.5rem;font-weight:bold}</style></head>
<body><h1>PMS API</h1><p>OpenAPI document: <a href="${specUrl}"><code>${specUrl}</code></a></p><div id="ops">Loading…</div>
<script>
fetch(${JSON.stringify(specUrl)}).then(r=>r.json()).then(s=>{const el=document.getElementById('ops');el.textContent='';
for(const [p,ms] of Object.entries(s.paths))for(const [m,o] of Object.entries(ms)){const d=document.createElement('div');d.className='op';
const b=document.createElement('span');b.className='m';b.textContent=m.toUpperCase();const c=document.createElement('code');c.textContent=p;
const t=document.createElement('span');t.textContent=' '+o.summary;d.append(b,c,t);el.append(d);}});
</script></body></html>`;

// Import/export routes. Export: anyone who can read the project (every part of it is readable
// through the API already). Import: project admins (it creates states, labels and members).
import type { Deps } from '../deps.ts';
import type { Api } from '../platform/http.ts';
import { projectAccess } from '../projects/access.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import { readLimited } from './body.ts';
import { exportCsv, exportJson } from './export.ts';
import {
  ZExportQuery,
  ZImport,
  ZImportParams,
  ZImportPreview,
  ZImportQuery,
  ZImportResult,
} from './schemas.ts';
import { applyImport, getImport, previewImport } from './service.ts';

/** Import uploads are raw bodies (app.ts keeps the JSON body parser off these paths). */
export const IMPORT_UPLOAD_PATH = /\/projects\/[^/]+\/imports\/?$/;

export function transferRoutes(api: Api, deps: Deps): void {
  const tag = 'import-export';
  const P = '/projects/:project';
  const apiPrefix = `/api/${deps.config.API_VERSION}`;

  api.op(
    {
      method: 'get',
      path: `${P}/export`,
      summary:
        'Export the project: JSON with everything, or CSV of the tasks (`format=csv`; streamed)',
      tag,
      auth: 'user',
      params: ZProjectParams,
      query: ZExportQuery,
      raw: true,
      produces: ['application/json', 'text/csv'],
      errors: [403],
    },
    async ({ user, params, query, res }) => {
      const a = await projectAccess(params.project, user);
      const day = new Date().toISOString().slice(0, 10);
      const csv = query.format === 'csv';
      res.status(200);
      res.setHeader(
        'Content-Type',
        csv ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8',
      );
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${a.project.key}-${csv ? 'tasks' : 'export'}-${day}.${query.format}"`,
      );
      res.setHeader('Cache-Control', 'no-store');
      if (csv) await exportCsv(a, res);
      else await exportJson(a, res, { activity: query.activity, apiPrefix });
      res.end();
      return undefined;
    },
  );

  api.op(
    {
      method: 'post',
      path: `${P}/imports`,
      summary: 'Upload a file to import: a dry run that creates nothing and returns the preview',
      tag,
      auth: 'user',
      params: ZProjectParams,
      query: ZImportQuery,
      rawBody: 'application/octet-stream',
      response: ZImportPreview,
      errors: [403, 415],
    },
    async ({ user, params, query, req }) => {
      const access = await projectAccess(params.project, user, 'admin');
      const len = req.get('content-length');
      const bytes = await readLimited(
        req,
        deps.config.IMPORT_MAX_BYTES,
        len !== undefined && /^\d+$/.test(len) ? Number(len) : null,
      );
      return previewImport({ deps, access, user }, bytes, {
        format: query.format,
        mapping: query.mapping,
        checklists: query.checklists,
      });
    },
  );

  api.op(
    {
      method: 'get',
      path: `${P}/imports/:importId`,
      summary: 'An import: status and result',
      tag,
      auth: 'user',
      params: ZImportParams,
      response: ZImport,
      errors: [403],
    },
    async ({ user, params }) =>
      getImport(
        { deps, access: await projectAccess(params.project, user, 'admin'), user },
        params.importId,
      ),
  );

  api.op(
    {
      method: 'post',
      path: `${P}/imports/:importId/apply`,
      summary: 'Apply a previewed import (once; a repeated submit returns the first result)',
      tag,
      auth: 'user',
      params: ZImportParams,
      status: 200,
      response: ZImportResult,
      errors: [403, 409],
    },
    async ({ user, params }) =>
      applyImport(
        { deps, access: await projectAccess(params.project, user, 'admin'), user },
        params.importId,
      ),
  );
}

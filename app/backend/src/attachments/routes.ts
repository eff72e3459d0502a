// Attachments of a task: streamed uploads (raw body) or presigned PUTs with a confirm step,
// download links (presigned, or a token-bound same-origin URL) and the streamed content.
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Api } from '../platform/http.ts';
import { ZTaskParams } from '../tasks/schemas.ts';
import { taskCtx } from '../tasks/service.ts';
import {
  ZAttachment,
  ZAttachmentList,
  ZAttachmentParams,
  ZDownloadLink,
  ZFilename,
  ZPresignedUpload,
  ZPresignSchema,
} from './schemas.ts';
import {
  attachmentForToken,
  confirmUpload,
  deleteAttachment,
  downloadUrl,
  listAttachments,
  presignUpload,
  readableAttachment,
  streamAttachment,
  uploadAttachment,
} from './service.ts';

export function attachmentRoutes(api: Api, deps: Deps): void {
  const tag = 'attachments';
  const P = '/projects/:project';
  api.op(
    {
      method: 'get',
      path: `${P}/tasks/:task/attachments`,
      summary: 'Attachments of a task',
      tag,
      auth: 'user',
      params: ZTaskParams,
      response: ZAttachmentList,
      errors: [403],
    },
    async ({ user, params }) =>
      listAttachments(await taskCtx(deps, user, params.project), params.task),
  );
  api.op(
    {
      method: 'post',
      path: `${P}/tasks/:task/attachments`,
      summary: 'Upload a file (raw body, streamed to S3)',
      tag,
      auth: 'user',
      params: ZTaskParams,
      query: z.object({ filename: ZFilename }),
      rawBody: 'application/octet-stream',
      response: ZAttachment,
      errors: [403, 411, 415],
    },
    async ({ user, params, query, req }) => {
      const len = req.get('content-length');
      const size = len !== undefined && /^\d+$/.test(len) ? Number(len) : null;
      return uploadAttachment(await taskCtx(deps, user, params.project, 'member'), params.task, {
        filename: query.filename,
        contentType: req.get('content-type') ?? '',
        size,
        body: req,
      });
    },
  );
  api.op(
    {
      method: 'post',
      path: `${P}/tasks/:task/attachments/presign`,
      summary: 'Presigned PUT upload (then confirm)',
      tag,
      auth: 'user',
      params: ZTaskParams,
      body: ZPresignSchema,
      response: ZPresignedUpload,
      errors: [403, 413, 415],
    },
    async ({ user, params, body }) =>
      presignUpload(await taskCtx(deps, user, params.project, 'member'), params.task, body),
  );
  api.op(
    {
      method: 'post',
      path: `${P}/attachments/:attachmentId/confirm`,
      summary: 'Confirm a presigned upload',
      tag,
      auth: 'user',
      params: ZAttachmentParams,
      status: 200,
      response: ZAttachment,
      errors: [403],
    },
    async ({ user, params }) =>
      confirmUpload(await taskCtx(deps, user, params.project, 'member'), params.attachmentId),
  );
  api.op(
    {
      method: 'get',
      path: `${P}/attachments/:attachmentId/download`,
      summary:
        'Download URL (presigned with S3_PUBLIC_ENDPOINT, else /content with a token); `redirect=true` answers 302 to it',
      tag,
      auth: 'user',
      params: ZAttachmentParams,
      query: z.object({ redirect: z.enum(['true', 'false']).default('false') }),
      response: ZDownloadLink,
      errors: [403],
    },
    async ({ user, params, query, res }) => {
      const r = await downloadUrl(await taskCtx(deps, user, params.project), params.attachmentId);
      if (query.redirect === 'true') {
        res.redirect(302, r.url);
        return undefined;
      }
      return r;
    },
  );
  api.op(
    {
      method: 'get',
      path: `${P}/attachments/:attachmentId/content`,
      summary: 'Download the file bytes (download token or Bearer; streamed from S3)',
      tag,
      auth: 'public',
      params: ZAttachmentParams,
      query: z.object({ token: z.string().max(200).optional() }),
      raw: true,
      produces: ['application/octet-stream'],
      errors: [401, 403],
    },
    async (op) => {
      const { params, query, res } = op;
      // `op.user` (401 without credentials) is only read when there is no token.
      const a = query.token
        ? await attachmentForToken(deps, params.project, params.attachmentId, query.token)
        : await readableAttachment(
            await taskCtx(deps, op.user, params.project),
            params.attachmentId,
          );
      await streamAttachment(deps, a, res);
      return undefined;
    },
  );
  api.op(
    {
      method: 'delete',
      path: `${P}/attachments/:attachmentId`,
      summary: 'Delete an attachment',
      tag,
      auth: 'user',
      params: ZAttachmentParams,
      errors: [403],
    },
    async ({ user, params }) => {
      await deleteAttachment(
        await taskCtx(deps, user, params.project, 'member'),
        params.attachmentId,
      );
      return undefined;
    },
  );
}

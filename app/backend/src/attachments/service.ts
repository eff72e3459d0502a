import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { record } from '../activity/service.ts';
import type { Deps } from '../deps.ts';
import { AppError, badRequest, notFound } from '../platform/errors.ts';
import { contentDisposition } from '../platform/s3.ts';
import { Project, type TProjectDoc } from '../projects/model.ts';
import { findTask, type TaskCtx } from '../tasks/service.ts';
import { Attachment, toAttachment, type TAttachmentDoc } from './model.ts';
import { safeFilename, typeAllowed } from './policy.ts';
import { DOWNLOAD_TOKEN_TTL, signDownloadToken, verifyDownloadToken } from './token.ts';

const DOWNLOAD_TTL = 300;
const UPLOAD_TTL = 900;

function checkPolicy(deps: Deps, contentType: string, size: number | null) {
  if (!deps.config.ENABLE_FILE_UPLOAD)
    throw new AppError('feature_disabled', 'File uploads are disabled');
  if (size === null) throw new AppError('length_required', 'Content-Length is required');
  if (size > deps.config.MAX_UPLOAD_BYTES)
    throw new AppError(
      'payload_too_large',
      `Files are limited to ${deps.config.MAX_UPLOAD_BYTES} bytes`,
    );
  if (size === 0) throw badRequest('Empty file');
  if (!typeAllowed(contentType, deps.config.UPLOAD_ALLOWED_TYPES))
    throw new AppError(
      'unsupported_media_type',
      `Content type ${contentType || '(none)'} is not allowed`,
    );
}

const objectKey = (projectId: string, taskId: string) =>
  `projects/${projectId}/tasks/${taskId}/${randomUUID()}`;

export async function listAttachments(c: TaskCtx, ref: string) {
  const t = await findTask(c.access, ref);
  const rows = await Attachment.find({ taskId: t._id, status: 'ready' })
    .sort({ createdAt: 1, _id: 1 })
    .lean<TAttachmentDoc[]>();
  return { items: rows.map(toAttachment) };
}

/** Streams the request body straight to S3 (no buffering); the size is the declared length. */
export async function uploadAttachment(
  c: TaskCtx,
  ref: string,
  input: { filename: string; contentType: string; size: number | null; body: Readable },
) {
  checkPolicy(c.deps, input.contentType, input.size);
  const size = input.size ?? 0;
  const t = await findTask(c.access, ref);
  const key = objectKey(c.access.projectId, String(t._id));
  const contentType =
    input.contentType.split(';')[0]?.trim().toLowerCase() ?? 'application/octet-stream';
  await c.deps.storage.put(key, input.body, size, contentType);
  const doc = await Attachment.create({
    projectId: c.access.projectId,
    taskId: t._id,
    key,
    filename: safeFilename(input.filename),
    contentType,
    size,
    status: 'ready',
    uploadedBy: c.user.userId,
  });
  await record(c.deps, c.user, c.access.projectId, String(t._id), 'attachment.added', [
    { field: 'attachment', from: null, to: doc.filename },
  ]);
  return toAttachment(doc.toObject());
}

export async function presignUpload(
  c: TaskCtx,
  ref: string,
  input: { filename: string; contentType: string; size: number },
) {
  checkPolicy(c.deps, input.contentType, input.size);
  const t = await findTask(c.access, ref);
  const key = objectKey(c.access.projectId, String(t._id));
  const doc = await Attachment.create({
    projectId: c.access.projectId,
    taskId: t._id,
    key,
    filename: safeFilename(input.filename),
    contentType: input.contentType,
    size: input.size,
    status: 'pending',
    uploadedBy: c.user.userId,
  });
  const uploadUrl = await c.deps.storage.presignPut(key, input.contentType, input.size, UPLOAD_TTL);
  return {
    attachment: toAttachment(doc.toObject()),
    uploadUrl,
    method: 'PUT',
    headers: { 'Content-Type': input.contentType },
    expiresIn: UPLOAD_TTL,
  };
}

async function findAttachment(c: TaskCtx, id: string) {
  const a = await Attachment.findOne({
    _id: id,
    projectId: c.access.projectId,
  }).lean<TAttachmentDoc>();
  if (!a) throw notFound('Attachment');
  return a;
}

export async function confirmUpload(c: TaskCtx, id: string) {
  const a = await findAttachment(c, id);
  if (a.status === 'ready') return toAttachment(a);
  const head = await c.deps.storage.head(a.key);
  if (!head) throw badRequest('The file has not been uploaded yet');
  if (head.size !== a.size || head.size > c.deps.config.MAX_UPLOAD_BYTES) {
    await c.deps.storage.remove(a.key);
    await Attachment.deleteOne({ _id: a._id });
    throw badRequest('The uploaded file does not match the announced size');
  }
  const after = await Attachment.findByIdAndUpdate(
    a._id,
    { $set: { status: 'ready' } },
    { new: true },
  ).lean<TAttachmentDoc>();
  if (!after) throw notFound('Attachment');
  await record(c.deps, c.user, c.access.projectId, String(a.taskId), 'attachment.added', [
    { field: 'attachment', from: null, to: a.filename },
  ]);
  return toAttachment(after);
}

/**
 * With `S3_PUBLIC_ENDPOINT`: a presigned GET against that address. Without it (the default; the
 * S3 endpoint is usually cluster-internal): a same-origin API URL to `/content` carrying a
 * short-lived download token, so a plain link works without the Bearer header.
 */
export async function downloadUrl(c: TaskCtx, id: string) {
  const a = await findAttachment(c, id);
  if (a.status !== 'ready') throw notFound('Attachment');
  if (c.deps.storage.publicPresign)
    return {
      url: await c.deps.storage.presignGet(a.key, a.filename, DOWNLOAD_TTL),
      expiresIn: DOWNLOAD_TTL,
    };
  const projectId = c.access.projectId;
  const token = signDownloadToken(c.deps.config.JWT_SECRET, projectId, String(a._id));
  const prefix = `/api/${c.deps.config.API_VERSION}`;
  return {
    url: `${prefix}/projects/${encodeURIComponent(c.access.project.key)}/attachments/${String(a._id)}/content?token=${token}`,
    expiresIn: DOWNLOAD_TOKEN_TTL,
  };
}

/** The project and ready attachment a download token (bound to both ids) opens. */
export async function attachmentForToken(
  deps: Deps,
  projectRef: string,
  id: string,
  token: string,
): Promise<TAttachmentDoc> {
  const project = /^[a-f0-9]{24}$/.test(projectRef)
    ? await Project.findById(projectRef).lean<TProjectDoc>()
    : await Project.findOne({ key: projectRef.toUpperCase() }).lean<TProjectDoc>();
  // The signature is checked before anything about existence is revealed.
  verifyDownloadToken(deps.config.JWT_SECRET, project ? String(project._id) : '-', id, token);
  if (!project) throw notFound('Attachment');
  const a = await Attachment.findOne({ _id: id, projectId: project._id }).lean<TAttachmentDoc>();
  if (!a || a.status !== 'ready') throw notFound('Attachment');
  return a;
}

/** The ready attachment the caller (a project viewer) may read. */
export async function readableAttachment(c: TaskCtx, id: string): Promise<TAttachmentDoc> {
  const a = await findAttachment(c, id);
  if (a.status !== 'ready') throw notFound('Attachment');
  return a;
}

/**
 * Pipes the S3 object to the response: exact bytes, download headers, no caching by shared
 * caches, no compression (`no-transform` keeps Content-Length). A client abort destroys the S3
 * stream; an object missing from S3 is a 404 in the API error format.
 */
export async function streamAttachment(deps: Deps, a: TAttachmentDoc, res: Response) {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.once('close', onClose);
  try {
    const obj = await deps.storage.get(a.key, abort.signal);
    if (!obj) throw notFound('Attachment');
    if (abort.signal.aborted) {
      obj.body.destroy();
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', obj.contentType ?? a.contentType ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(obj.size ?? a.size));
    res.setHeader('Content-Disposition', contentDisposition(a.filename));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store, no-transform');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    try {
      // pipeline destroys the S3 body when the response closes early (client abort).
      await pipeline(obj.body, res);
    } catch (err) {
      if (abort.signal.aborted || res.destroyed) return;
      deps.logger.warn({ err, key: a.key }, 'attachment stream failed');
      res.destroy(err as Error);
    }
  } catch (err) {
    if (abort.signal.aborted) return;
    throw err;
  } finally {
    res.off('close', onClose);
  }
}

export async function deleteAttachment(c: TaskCtx, id: string) {
  const a = await findAttachment(c, id);
  await c.deps.storage.remove(a.key);
  await Attachment.deleteOne({ _id: a._id });
  await record(c.deps, c.user, c.access.projectId, String(a.taskId), 'attachment.deleted', [
    { field: 'attachment', from: a.filename, to: null },
  ]);
}

/** Removes the objects and records of every attachment of the given tasks (task/project delete). */
export async function removeAttachmentsOf(
  deps: Deps,
  filter: { taskIds?: string[]; projectId?: string },
) {
  const q = filter.projectId
    ? { projectId: filter.projectId }
    : { taskId: { $in: filter.taskIds ?? [] } };
  const rows = await Attachment.find(q, { key: 1 }).lean();
  for (const a of rows) await deps.storage.remove(a.key);
  await Attachment.deleteMany(q);
}

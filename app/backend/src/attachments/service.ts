import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { record } from '../activity/service.ts';
import type { Deps } from '../deps.ts';
import { AppError, badRequest, notFound } from '../platform/errors.ts';
import { findTask, type TaskCtx } from '../tasks/service.ts';
import { Attachment, toAttachment, type TAttachmentDoc } from './model.ts';
import { safeFilename, typeAllowed } from './policy.ts';

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
  await record(c.user, c.access.projectId, String(t._id), 'attachment.added', [
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
  await record(c.user, c.access.projectId, String(a.taskId), 'attachment.added', [
    { field: 'attachment', from: null, to: a.filename },
  ]);
  return toAttachment(after);
}

export async function downloadUrl(c: TaskCtx, id: string) {
  const a = await findAttachment(c, id);
  if (a.status !== 'ready') throw notFound('Attachment');
  return {
    url: await c.deps.storage.presignGet(a.key, a.filename, DOWNLOAD_TTL),
    expiresIn: DOWNLOAD_TTL,
  };
}

export async function deleteAttachment(c: TaskCtx, id: string) {
  const a = await findAttachment(c, id);
  await c.deps.storage.remove(a.key);
  await Attachment.deleteOne({ _id: a._id });
  await record(c.user, c.access.projectId, String(a.taskId), 'attachment.deleted', [
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

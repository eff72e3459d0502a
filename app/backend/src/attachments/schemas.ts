import { z } from 'zod';
import { ZObjectId } from '../platform/http.ts';
import { component, ZDateTime, ZId } from '../platform/response.ts';
import { ZProjectParams } from '../projects/schemas.ts';

export const ZAttachmentParams = ZProjectParams.extend({ attachmentId: ZObjectId });
export const ZFilename = z.string().trim().min(1).max(255);
export const ZPresignSchema = z.object({
  filename: ZFilename,
  contentType: z.string().min(3).max(200),
  size: z.number().int().min(1),
});

export const ZAttachment = component(
  'Attachment',
  z.strictObject({
    id: ZId,
    taskId: ZId,
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int().describe('Bytes'),
    status: z.enum(['pending', 'ready']).describe('pending: a presigned upload not confirmed yet'),
    uploadedBy: ZId,
    createdAt: ZDateTime,
  }),
);
export const ZAttachmentList = z.strictObject({ items: z.array(ZAttachment) });
export const ZPresignedUpload = z.strictObject({
  attachment: ZAttachment,
  uploadUrl: z.string().describe('PUT the file bytes here, then confirm'),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()).describe('Headers the PUT must carry'),
  expiresIn: z.number().int().describe('Seconds the URL stays valid'),
});
export const ZDownloadLink = z.strictObject({
  url: z.string(),
  expiresIn: z.number().int().describe('Seconds the URL stays valid'),
});

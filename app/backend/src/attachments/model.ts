import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const attachmentSchema = new Schema({
  projectId: { type: Schema.Types.ObjectId, required: true },
  taskId: { type: Schema.Types.ObjectId, required: true },
  key: { type: String, required: true },
  filename: { type: String, required: true },
  contentType: { type: String, required: true },
  size: { type: Number, required: true },
  status: { type: String, enum: ['pending', 'ready'], default: 'pending' },
  uploadedBy: { type: Schema.Types.ObjectId, required: true },
  createdAt: { type: Date, default: () => new Date() },
});
attachmentSchema.index({ taskId: 1, createdAt: 1 });
attachmentSchema.index({ projectId: 1 });
attachmentSchema.index({ status: 1, createdAt: 1 });

export type TAttachmentDoc = InferSchemaType<typeof attachmentSchema> & {
  _id: mongoose.Types.ObjectId;
};
export const Attachment = mongoose.model('Attachment', attachmentSchema);

export const toAttachment = (a: TAttachmentDoc) => ({
  id: String(a._id),
  taskId: String(a.taskId),
  filename: a.filename,
  contentType: a.contentType,
  size: a.size,
  status: a.status,
  uploadedBy: String(a.uploadedBy),
  createdAt: a.createdAt,
});

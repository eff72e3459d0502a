import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const commentSchema = new Schema(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    authorName: { type: String, default: '' },
    body: { type: String, required: true },
    mentions: { type: [Schema.Types.ObjectId], default: [] },
  },
  { timestamps: true },
);
commentSchema.index({ taskId: 1, _id: 1 });
commentSchema.index({ projectId: 1 });

export type TCommentDoc = InferSchemaType<typeof commentSchema> & { _id: mongoose.Types.ObjectId };
export const Comment = mongoose.model('Comment', commentSchema);

export const toComment = (c: TCommentDoc) => ({
  id: String(c._id),
  taskId: String(c.taskId),
  authorId: String(c.authorId),
  authorName: c.authorName,
  body: c.body,
  mentions: c.mentions.map(String),
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const activitySchema = new Schema({
  projectId: { type: Schema.Types.ObjectId, required: true },
  taskId: { type: Schema.Types.ObjectId, default: null },
  actorId: { type: Schema.Types.ObjectId, required: true },
  actorName: { type: String, default: '' },
  action: { type: String, required: true },
  changes: {
    type: [{ _id: false, field: String, from: Schema.Types.Mixed, to: Schema.Types.Mixed }],
    default: [],
  },
  createdAt: { type: Date, default: () => new Date() },
});
activitySchema.index({ projectId: 1, _id: -1 });
activitySchema.index({ taskId: 1, _id: -1 });

export type TActivityDoc = InferSchemaType<typeof activitySchema> & {
  _id: mongoose.Types.ObjectId;
};
export const Activity = mongoose.model('Activity', activitySchema);

export const toActivity = (a: TActivityDoc) => ({
  id: String(a._id),
  projectId: String(a.projectId),
  taskId: a.taskId ? String(a.taskId) : null,
  actorId: String(a.actorId),
  actorName: a.actorName,
  action: a.action,
  changes: a.changes.map((c) => ({ field: c.field, from: c.from ?? null, to: c.to ?? null })),
  createdAt: a.createdAt,
});

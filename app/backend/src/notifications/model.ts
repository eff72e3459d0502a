import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const notificationSchema = new Schema({
  userId: { type: Schema.Types.ObjectId, required: true },
  type: { type: String, enum: ['mention', 'assigned', 'comment'], required: true },
  projectId: { type: Schema.Types.ObjectId, required: true },
  taskId: { type: Schema.Types.ObjectId, required: true },
  taskKey: { type: String, required: true },
  actorId: { type: Schema.Types.ObjectId, required: true },
  actorName: { type: String, default: '' },
  message: { type: String, required: true },
  read: { type: Boolean, default: false },
  createdAt: { type: Date, default: () => new Date() },
});
notificationSchema.index({ userId: 1, _id: -1 });
notificationSchema.index({ userId: 1, read: 1 });

export type TNotificationDoc = InferSchemaType<typeof notificationSchema> & {
  _id: mongoose.Types.ObjectId;
};
export const Notification = mongoose.model('Notification', notificationSchema);

export const toNotification = (n: TNotificationDoc) => ({
  id: String(n._id),
  type: n.type,
  projectId: String(n.projectId),
  taskId: String(n.taskId),
  taskKey: n.taskKey,
  actorId: String(n.actorId),
  actorName: n.actorName,
  message: n.message,
  read: n.read,
  createdAt: n.createdAt,
});

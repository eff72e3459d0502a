import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const apiTokenSchema = new Schema({
  userId: { type: Schema.Types.ObjectId, required: true },
  name: { type: String, required: true },
  tokenHash: { type: String, required: true },
  prefix: { type: String, required: true },
  lastUsedAt: { type: Date, default: null },
  expiresAt: { type: Date, default: null },
  createdAt: { type: Date, default: () => new Date() },
});
apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
apiTokenSchema.index({ userId: 1, createdAt: -1 });

export type TApiTokenDoc = InferSchemaType<typeof apiTokenSchema> & {
  _id: mongoose.Types.ObjectId;
};
export const ApiToken = mongoose.model('ApiToken', apiTokenSchema);

export const toApiToken = (t: TApiTokenDoc) => ({
  id: String(t._id),
  name: t.name,
  prefix: t.prefix,
  lastUsedAt: t.lastUsedAt,
  expiresAt: t.expiresAt,
  createdAt: t.createdAt,
});

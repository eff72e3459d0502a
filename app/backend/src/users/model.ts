import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const userSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ['admin', 'member'], default: 'member' },
    disabled: { type: Boolean, default: false },
    // Bumped whenever existing access must end (disable, role change, password change, logout
    // everywhere); access tokens carry the version they were issued at (see auth/sessions.ts).
    sessionVersion: { type: Number, default: 0 },
  },
  { timestamps: true },
);
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ name: 1 });

export type TUserDoc = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
export const User = mongoose.model('User', userSchema);

export function toUser(u: TUserDoc) {
  return {
    id: String(u._id),
    name: u.name,
    email: u.email,
    role: u.role as 'admin' | 'member',
    disabled: u.disabled,
    createdAt: u.createdAt,
  };
}
export type TUser = ReturnType<typeof toUser>;

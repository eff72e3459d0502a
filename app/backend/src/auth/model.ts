import mongoose, { Schema } from 'mongoose';

// One document per issued refresh token. A rotation marks the old one used; presenting a used
// or revoked token revokes its whole family (every token descended from one login).
const refreshTokenSchema = new Schema({
  userId: { type: Schema.Types.ObjectId, required: true },
  familyId: { type: String, required: true },
  tokenHash: { type: String, required: true },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date, default: null },
  // The token this one was rotated into, sealed (tokens.ts): returned again to a concurrent
  // refresh within the grace window instead of treating it as reuse.
  successor: { type: String, default: null },
  revokedAt: { type: Date, default: null },
  createdAt: { type: Date, default: () => new Date() },
});
refreshTokenSchema.index({ tokenHash: 1 }, { unique: true });
refreshTokenSchema.index({ familyId: 1 });
refreshTokenSchema.index({ userId: 1 });
// FerretDB v1 has no TTL indexes: the worker deletes expired tokens (see README).
refreshTokenSchema.index({ expiresAt: 1 });

export const RefreshToken = mongoose.model('RefreshToken', refreshTokenSchema);

// Rotation claims: inserting `_id = tokenHash` succeeds exactly once, because the unique _id is
// enforced by the storage engine. FerretDB v1's findAndModify is not atomic under concurrency
// (three parallel claims all "won" in the integration test), so it cannot be the lock.
const refreshClaimSchema = new Schema({
  _id: { type: String, required: true },
  expiresAt: { type: Date, required: true },
});
refreshClaimSchema.index({ expiresAt: 1 });
export const RefreshClaim = mongoose.model('RefreshClaim', refreshClaimSchema);

// Password-reset links: one document per link, the token stored only as its sha256. Single use
// is enforced by a unique claim (invitations/model.ts TokenClaim), `usedAt` records it.
const passwordResetSchema = new Schema({
  userId: { type: Schema.Types.ObjectId, required: true },
  tokenHash: { type: String, required: true },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date, default: null },
  /** `self` (forgot password) or the id of the admin who created the link. */
  requestedBy: { type: String, required: true },
  createdAt: { type: Date, default: () => new Date() },
});
passwordResetSchema.index({ tokenHash: 1 }, { unique: true });
passwordResetSchema.index({ userId: 1 });
passwordResetSchema.index({ expiresAt: 1 });
export const PasswordReset = mongoose.model('PasswordReset', passwordResetSchema);

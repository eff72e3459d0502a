// Invitations and the single-use claims of one-time tokens (invitation and password-reset links).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { isDuplicateKey } from '../platform/errors.ts';

// One document per invitation. The token itself is never stored, only its sha256 (like refresh
// and API tokens): a database dump yields no usable link.
const invitationSchema = new Schema({
  email: { type: String, required: true, lowercase: true, trim: true },
  /** Instance role of the account the invitation creates. */
  role: { type: String, enum: ['admin', 'member'], default: 'member' },
  projects: {
    type: [
      {
        _id: false,
        projectId: { type: Schema.Types.ObjectId, required: true },
        role: { type: String, enum: ['owner', 'admin', 'member', 'viewer'], required: true },
      },
    ],
    default: [],
  },
  /** Set when a project admin invited into their project: they may list and revoke it there. */
  scopeProjectId: { type: Schema.Types.ObjectId, default: null },
  tokenHash: { type: String, required: true },
  expiresAt: { type: Date, required: true },
  invitedBy: { type: Schema.Types.ObjectId, required: true },
  invitedByName: { type: String, required: true },
  acceptedAt: { type: Date, default: null },
  acceptedUserId: { type: Schema.Types.ObjectId, default: null },
  revokedAt: { type: Date, default: null },
  createdAt: { type: Date, default: () => new Date() },
});
invitationSchema.index({ tokenHash: 1 }, { unique: true });
invitationSchema.index({ email: 1 });
invitationSchema.index({ scopeProjectId: 1, createdAt: -1 });
invitationSchema.index({ createdAt: -1 });
// FerretDB v1 has no TTL indexes: the worker's clean-up deletes old ones (see cleanupPeople).
invitationSchema.index({ expiresAt: 1 });

export type TInvitationDoc = InferSchemaType<typeof invitationSchema> & {
  _id: mongoose.Types.ObjectId;
};
export const Invitation = mongoose.model('Invitation', invitationSchema);

// Single use of a one-time token: inserting `_id = <purpose>:<tokenHash>` succeeds exactly once
// (the unique _id is enforced by the storage engine; FerretDB v1's findAndModify is not atomic
// under concurrency, see auth/model.ts RefreshClaim). Kept until the token would have expired.
const tokenClaimSchema = new Schema({
  _id: { type: String, required: true },
  expiresAt: { type: Date, required: true },
});
tokenClaimSchema.index({ expiresAt: 1 });
export const TokenClaim = mongoose.model('TokenClaim', tokenClaimSchema);

/** True when this call used the token; false when it was already used (any replica). */
export async function claimToken(
  purpose: 'invite' | 'reset',
  tokenHash: string,
  expiresAt: Date,
): Promise<boolean> {
  try {
    await TokenClaim.create({ _id: `${purpose}:${tokenHash}`, expiresAt });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

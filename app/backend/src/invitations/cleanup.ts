// Expiry of one-time links (FerretDB v1 has no TTL indexes): run by the worker's clean-up.
import { PasswordReset } from '../auth/model.ts';
import { Invitation, TokenClaim } from './model.ts';

const DAY = 86_400_000;

export async function cleanupPeople(now = new Date()): Promise<number> {
  // Claims only matter while their link could still be presented.
  await TokenClaim.deleteMany({ expiresAt: { $lt: now } });
  // Invitations stay listed (accepted, revoked, expired) for 30 days after their link expired.
  const invitations = await Invitation.deleteMany({
    expiresAt: { $lt: new Date(now.getTime() - 30 * DAY) },
  });
  const resets = await PasswordReset.deleteMany({
    expiresAt: { $lt: new Date(now.getTime() - DAY) },
  });
  return invitations.deletedCount + resets.deletedCount;
}

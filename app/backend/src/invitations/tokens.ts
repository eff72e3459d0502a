// Pure helpers for one-time links (invitations, password resets): generation, hashing, the
// frontend URLs, and the state of an invitation at a given time.
import { randomBytes } from 'node:crypto';
export { sha256 } from '../auth/tokens.ts';

/** 256 random bits, URL-safe: the link is the only credential, so it must not be guessable. */
export const newOneTimeToken = (): string => randomBytes(32).toString('base64url');

const base = (frontendUrl: string) => frontendUrl.replace(/\/+$/, '');

/** The web app's accept page: /invite/<token>. */
export const acceptUrl = (frontendUrl: string, token: string): string =>
  `${base(frontendUrl)}/invite/${token}`;

/** The web app's new-password page: /reset-password/<token>. */
export const resetUrl = (frontendUrl: string, token: string): string =>
  `${base(frontendUrl)}/reset-password/${token}`;

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** Revoked and accepted win over expired: they say what happened to the invitation. */
export function invitationStatus(
  inv: { acceptedAt?: Date | null; revokedAt?: Date | null; expiresAt: Date },
  now: number,
): InvitationStatus {
  if (inv.revokedAt) return 'revoked';
  if (inv.acceptedAt) return 'accepted';
  if (inv.expiresAt.getTime() <= now) return 'expired';
  return 'pending';
}

/** Tokens are base64url of 32 bytes (43 characters); anything else is refused before a lookup. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;

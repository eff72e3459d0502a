// API shapes of the people endpoints (app/backend/API.md, "People").
import type { ProjectRole, User } from '@/lib/types.ts';

export interface Person extends User {
  disabled: boolean;
}

export interface InvitationProject {
  projectId: string;
  key: string;
  name: string;
  role: ProjectRole;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface Invitation {
  id: string;
  email: string;
  role: 'admin' | 'member';
  projects: InvitationProject[];
  projectScoped: boolean;
  status: InvitationStatus;
  invitedBy: { id: string; name: string };
  expiresAt: string;
  createdAt: string;
  acceptedAt: string | null;
}

/** The answer to "invite" and "new link": the link only when it was not e-mailed. */
export interface IssuedInvitation {
  invitation: Invitation;
  emailed: boolean;
  acceptUrl?: string;
}

export interface ResetLink {
  emailed: boolean;
  resetUrl?: string;
  expiresAt: string;
}

/** What the accept page shows (POST /auth/invitations/lookup). */
export interface InvitationPreview {
  email: string;
  role: 'admin' | 'member';
  projects: { key: string; name: string; role: ProjectRole }[];
  invitedBy: string;
  expiresAt: string;
}

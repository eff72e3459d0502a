import { z } from 'zod';
import { ZObjectId } from '../platform/http.ts';
import { PROJECT_ROLES } from '../projects/model.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import { component, ZDateTime, ZId } from '../platform/response.ts';
import { ZEmail, ZName, ZPassword, ZUser } from '../users/schemas.ts';
import { TOKEN_PATTERN } from './tokens.ts';

export const ZProjectRole = z.enum(PROJECT_ROLES);

/** An instance admin's invitation: instance role plus optional projects with their roles. */
export const ZCreateInvitationSchema = z
  .object({
    email: ZEmail,
    role: z.enum(['admin', 'member']).default('member'),
    projects: z
      .array(z.object({ projectId: ZObjectId, role: ZProjectRole }).strict())
      .max(50)
      .default([])
      .refine(
        (ps) => new Set(ps.map((p) => p.projectId)).size === ps.length,
        'lists a project twice',
      ),
  })
  .strict();

/** A project admin's invitation into their project (project role only). */
export const ZCreateProjectInvitationSchema = z
  .object({ email: ZEmail, role: ZProjectRole.default('member') })
  .strict();

export const ZInvitationListQuery = z.object({
  status: z.enum(['pending', 'all']).default('pending'),
});
export const ZInvitationParams = z.object({ id: ZObjectId });
export const ZProjectInvitationParams = ZProjectParams.extend({ id: ZObjectId });

export const ZToken = z.string().regex(TOKEN_PATTERN, 'is not a valid link token');
export const ZTokenSchema = z.object({ token: ZToken }).strict();
export const ZAcceptInvitationSchema = z
  .object({ token: ZToken, name: ZName, password: ZPassword })
  .strict();

// Responses ---------------------------------------------------------------------------------------

export const ZInvitation = component(
  'Invitation',
  z.strictObject({
    id: ZId,
    email: z.string(),
    role: z.enum(['admin', 'member']).describe('Instance role of the account it creates'),
    projects: z.array(
      z.strictObject({ projectId: ZId, key: z.string(), name: z.string(), role: ZProjectRole }),
    ),
    projectScoped: z.boolean().describe("Sent by a project admin into that admin's project"),
    status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
    invitedBy: z.strictObject({ id: ZId, name: z.string() }),
    expiresAt: ZDateTime,
    createdAt: ZDateTime,
    acceptedAt: ZDateTime.nullable(),
  }),
);
export const ZInvitationList = z.strictObject({ items: z.array(ZInvitation) });
export const ZIssuedInvitation = z.strictObject({
  invitation: ZInvitation,
  emailed: z.boolean(),
  acceptUrl: z.string().optional().describe('Only when the link was not e-mailed: copy it'),
});
export const ZInvitationLookup = z.strictObject({
  email: z.string(),
  role: z.enum(['admin', 'member']),
  projects: z.array(z.strictObject({ key: z.string(), name: z.string(), role: ZProjectRole })),
  invitedBy: z.string().describe("The inviter's name"),
  expiresAt: ZDateTime,
});
export const ZAcceptedInvitation = z.strictObject({ user: ZUser });

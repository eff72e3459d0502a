import { z } from 'zod';
import { ZObjectId } from '../platform/http.ts';
import { PROJECT_ROLES } from '../projects/model.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import { ZEmail, ZName, ZPassword } from '../users/schemas.ts';
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

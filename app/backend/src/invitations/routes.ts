// Invitation endpoints: instance admins (any role, any projects), project admins (their
// project, project role only), and the public look-up / accept used by the invite page.
import type { Deps } from '../deps.ts';
import type { Api } from '../platform/http.ts';
import { projectAccess } from '../projects/access.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import {
  ZAcceptedInvitation,
  ZAcceptInvitationSchema,
  ZInvitationList,
  ZInvitationLookup,
  ZIssuedInvitation,
  ZCreateInvitationSchema,
  ZCreateProjectInvitationSchema,
  ZInvitationListQuery,
  ZInvitationParams,
  ZProjectInvitationParams,
  ZTokenSchema,
} from './schemas.ts';
import {
  acceptInvitation,
  createInvitation,
  createProjectInvitation,
  listInvitations,
  lookupInvitation,
  renewInvitation,
  revokeInvitation,
} from './service.ts';

export function invitationRoutes(api: Api, deps: Deps): void {
  const tag = 'invitations';
  const d = {
    config: deps.config,
    queue: deps.queue,
    logger: deps.logger,
    events: deps.events,
    cache: deps.cache,
  };

  api.op(
    {
      method: 'get',
      path: '/invitations',
      summary: 'Invitations (admin; pending by default)',
      tag,
      auth: 'admin',
      query: ZInvitationListQuery,
      response: ZInvitationList,
    },
    async ({ query }) => ({ items: await listInvitations({ status: query.status }) }),
  );
  api.op(
    {
      method: 'post',
      path: '/invitations',
      summary: 'Invite someone (admin): instance role and optional projects with roles',
      tag,
      auth: 'admin',
      body: ZCreateInvitationSchema,
      response: ZIssuedInvitation,
      errors: [409],
    },
    ({ user, body }) => createInvitation(d, user, body),
  );
  api.op(
    {
      method: 'post',
      path: '/invitations/:id/renew',
      summary: 'New link for a pending or expired invitation (admin; the old link stops working)',
      tag,
      auth: 'admin',
      params: ZInvitationParams,
      status: 200,
      response: ZIssuedInvitation,
      errors: [409],
    },
    ({ user, params }) => renewInvitation(d, user, params.id),
  );
  api.op(
    {
      method: 'delete',
      path: '/invitations/:id',
      summary: 'Revoke an invitation (admin)',
      tag,
      auth: 'admin',
      params: ZInvitationParams,
      errors: [409],
    },
    async ({ params }) => {
      await revokeInvitation(params.id);
      return undefined;
    },
  );

  api.op(
    {
      method: 'get',
      path: '/projects/:project/invitations',
      summary: 'Invitations sent into this project by its admins (project admin)',
      tag,
      auth: 'user',
      params: ZProjectParams,
      query: ZInvitationListQuery,
      response: ZInvitationList,
      errors: [403],
    },
    async ({ user, params, query }) => {
      const a = await projectAccess(params.project, user, 'admin');
      return {
        items: await listInvitations({ status: query.status, scopeProjectId: a.projectId }),
      };
    },
  );
  api.op(
    {
      method: 'post',
      path: '/projects/:project/invitations',
      summary: 'Invite someone into this project (project admin; owners may invite owners)',
      tag,
      auth: 'user',
      params: ZProjectParams,
      body: ZCreateProjectInvitationSchema,
      response: ZIssuedInvitation,
      errors: [403, 409],
    },
    async ({ user, params, body }) => {
      const a = await projectAccess(params.project, user, 'admin');
      return createProjectInvitation(d, user, a, body);
    },
  );
  api.op(
    {
      method: 'post',
      path: '/projects/:project/invitations/:id/renew',
      summary: "New link for one of this project's invitations (project admin)",
      tag,
      auth: 'user',
      params: ZProjectInvitationParams,
      status: 200,
      response: ZIssuedInvitation,
      errors: [403, 409],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user, 'admin');
      return renewInvitation(d, user, params.id, a.projectId);
    },
  );
  api.op(
    {
      method: 'delete',
      path: '/projects/:project/invitations/:id',
      summary: "Revoke one of this project's invitations (project admin)",
      tag,
      auth: 'user',
      params: ZProjectInvitationParams,
      errors: [403, 409],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user, 'admin');
      await revokeInvitation(params.id, a.projectId);
      return undefined;
    },
  );

  api.op(
    {
      method: 'post',
      path: '/auth/invitations/lookup',
      summary: 'What an invitation link offers (404 unknown, 410 used, revoked or expired)',
      tag,
      auth: 'public',
      body: ZTokenSchema,
      status: 200,
      response: ZInvitationLookup,
      errors: [404, 410],
    },
    ({ body }) => lookupInvitation(body.token),
  );
  api.op(
    {
      method: 'post',
      path: '/auth/invitations/accept',
      summary: 'Accept an invitation: create the account (name, password) and join its projects',
      tag,
      auth: 'public',
      body: ZAcceptInvitationSchema,
      response: ZAcceptedInvitation,
      errors: [404, 409, 410],
    },
    async ({ body }) => ({ user: await acceptInvitation(d, body) }),
  );
}

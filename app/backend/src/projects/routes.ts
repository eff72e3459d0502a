import { ZActivityPage } from '../activity/schemas.ts';
import { listActivity, record } from '../activity/service.ts';
import type { Deps } from '../deps.ts';
import type { Api } from '../platform/http.ts';
import { ZPageQuery } from '../tasks/schemas.ts';
import { cacheNs, projectAccess } from './access.ts';
import { deleteLabel, deleteProject, deleteState } from './removal.ts';
import {
  ZAddMemberSchema,
  ZCreateLabelSchema,
  ZCreateProjectSchema,
  ZCreateStateSchema,
  ZDeleteStateQuery,
  ZLabel,
  ZLabelList,
  ZLabelParams,
  ZMember,
  ZMemberList,
  ZMemberParams,
  ZProject,
  ZProjectList,
  ZProjectListQuery,
  ZProjectParams,
  ZState,
  ZStateList,
  ZStateParams,
  ZUpdateLabelSchema,
  ZUpdateMemberSchema,
  ZUpdateProjectSchema,
  ZUpdateStateSchema,
} from './schemas.ts';
import {
  addMember,
  createLabel,
  createProject,
  createState,
  listLabels,
  listMembers,
  listProjects,
  listStates,
  memberRole,
  removeMember,
  updateLabel,
  updateMember,
  updateProject,
  updateState,
} from './service.ts';
import { toProject } from './model.ts';

export function projectRoutes(api: Api, deps: Deps): void {
  let tag = 'projects';
  const bump = (pid: string) => deps.cache.bump(cacheNs(pid));

  api.op(
    {
      method: 'get',
      path: '/projects',
      summary: 'My projects',
      tag,
      auth: 'user',
      query: ZProjectListQuery,
      response: ZProjectList,
    },
    async ({ user, query }) => ({
      items: await listProjects(user, query.archived),
    }),
  );
  api.op(
    {
      method: 'post',
      path: '/projects',
      summary: 'Create a project',
      tag,
      auth: 'user',
      body: ZCreateProjectSchema,
      response: ZProject,
      errors: [409],
    },
    ({ user, body }) => createProject(user, body),
  );
  api.op(
    {
      method: 'get',
      path: '/projects/:project',
      summary: 'Get a project',
      tag,
      auth: 'user',
      params: ZProjectParams,
      response: ZProject,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user);
      return toProject(a.project, a.role);
    },
  );
  api.op(
    {
      method: 'patch',
      path: '/projects/:project',
      summary: 'Update / archive a project',
      tag,
      auth: 'user',
      params: ZProjectParams,
      body: ZUpdateProjectSchema,
      response: ZProject,
      errors: [403],
    },
    async ({ user, params, body }) => {
      const a = await projectAccess(params.project, user, 'admin');
      const p = await updateProject(a, body);
      // Before the event: archiving changes what cached access allows.
      await bump(a.projectId);
      await record(deps, user, a.projectId, null, 'project.updated', []);
      return p;
    },
  );
  api.op(
    {
      method: 'delete',
      path: '/projects/:project',
      summary: 'Delete a project',
      tag,
      auth: 'user',
      params: ZProjectParams,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user, 'owner');
      try {
        await deleteProject(deps, a.projectId);
      } finally {
        // Also after a partial deletion (memberships go before the project document).
        await bump(a.projectId);
      }
      return undefined;
    },
  );
  api.op(
    {
      method: 'get',
      path: '/projects/:project/activity',
      summary: 'Project activity',
      tag,
      auth: 'user',
      params: ZProjectParams,
      query: ZPageQuery,
      response: ZActivityPage,
      errors: [403],
    },
    async ({ user, params, query }) => {
      const a = await projectAccess(params.project, user);
      return listActivity({ projectId: a.projectId }, query.limit, query.cursor);
    },
  );

  tag = 'members';
  api.op(
    {
      method: 'get',
      path: '/projects/:project/members',
      summary: 'Members',
      tag,
      auth: 'user',
      params: ZProjectParams,
      response: ZMemberList,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user);
      return { items: await listMembers(a.projectId) };
    },
  );
  api.op(
    {
      method: 'post',
      path: '/projects/:project/members',
      summary: 'Add a member',
      tag,
      auth: 'user',
      params: ZProjectParams,
      body: ZAddMemberSchema,
      response: ZMember,
      errors: [403, 409],
    },
    async ({ user, params, body }) => {
      const a = await projectAccess(params.project, user);
      const m = await addMember(a, body.userId, body.role);
      await bump(a.projectId); // cached access of the project is keyed to its version
      await record(deps, user, a.projectId, null, 'member.added', [
        { field: 'member', from: null, to: `${m.email} (${m.role})` },
      ]);
      return m;
    },
  );
  api.op(
    {
      method: 'patch',
      path: '/projects/:project/members/:userId',
      summary: 'Change a member role',
      tag,
      auth: 'user',
      params: ZMemberParams,
      body: ZUpdateMemberSchema,
      response: ZMember,
      errors: [403, 409],
    },
    async ({ user, params, body }) => {
      const a = await projectAccess(params.project, user);
      const before = await memberRole(a.projectId, params.userId);
      const m = await updateMember(a, params.userId, body.role);
      await bump(a.projectId);
      await record(deps, user, a.projectId, null, 'member.updated', [
        { field: `role:${m.email}`, from: before, to: m.role },
      ]);
      return m;
    },
  );
  api.op(
    {
      method: 'delete',
      path: '/projects/:project/members/:userId',
      summary: 'Remove a member',
      tag,
      auth: 'user',
      params: ZMemberParams,
      errors: [403, 409],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user);
      await removeMember(a, user, params.userId);
      await bump(a.projectId);
      await record(deps, user, a.projectId, null, 'member.removed', [
        { field: 'member', from: params.userId, to: null },
      ]);
      return undefined;
    },
  );

  tag = 'states';
  api.op(
    {
      method: 'get',
      path: '/projects/:project/states',
      summary: 'Workflow states',
      tag,
      auth: 'user',
      params: ZProjectParams,
      response: ZStateList,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user);
      return { items: await listStates(a.projectId) };
    },
  );
  api.op(
    {
      method: 'post',
      path: '/projects/:project/states',
      summary: 'Add a state',
      tag,
      auth: 'user',
      params: ZProjectParams,
      body: ZCreateStateSchema,
      response: ZState,
      errors: [403],
    },
    async ({ user, params, body }) => {
      const a = await projectAccess(params.project, user, 'admin');
      const s = await createState(a.projectId, body);
      await bump(a.projectId);
      return s;
    },
  );
  api.op(
    {
      method: 'patch',
      path: '/projects/:project/states/:stateId',
      summary: 'Update / reorder a state',
      tag,
      auth: 'user',
      params: ZStateParams,
      body: ZUpdateStateSchema,
      response: ZState,
      errors: [403],
    },
    async ({ user, params, body }) => {
      const a = await projectAccess(params.project, user, 'admin');
      const s = await updateState(a.projectId, params.stateId, body);
      await bump(a.projectId);
      return s;
    },
  );
  api.op(
    {
      method: 'delete',
      path: '/projects/:project/states/:stateId',
      summary: 'Delete a state',
      tag,
      auth: 'user',
      params: ZStateParams,
      query: ZDeleteStateQuery,
      errors: [403, 409],
    },
    async ({ user, params, query }) => {
      const a = await projectAccess(params.project, user, 'admin');
      await deleteState(a.projectId, params.stateId, query.moveTo);
      await bump(a.projectId);
      return undefined;
    },
  );

  tag = 'labels';
  api.op(
    {
      method: 'get',
      path: '/projects/:project/labels',
      summary: 'Labels',
      tag,
      auth: 'user',
      params: ZProjectParams,
      response: ZLabelList,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user);
      return { items: await listLabels(a.projectId) };
    },
  );
  api.op(
    {
      method: 'post',
      path: '/projects/:project/labels',
      summary: 'Create a label',
      tag,
      auth: 'user',
      params: ZProjectParams,
      body: ZCreateLabelSchema,
      response: ZLabel,
      errors: [403, 409],
    },
    async ({ user, params, body }) => {
      const a = await projectAccess(params.project, user, 'member');
      return createLabel(a.projectId, body);
    },
  );
  api.op(
    {
      method: 'patch',
      path: '/projects/:project/labels/:labelId',
      summary: 'Update a label',
      tag,
      auth: 'user',
      params: ZLabelParams,
      body: ZUpdateLabelSchema,
      response: ZLabel,
      errors: [403, 409],
    },
    async ({ user, params, body }) => {
      const a = await projectAccess(params.project, user, 'member');
      const l = await updateLabel(a.projectId, params.labelId, body);
      await bump(a.projectId);
      return l;
    },
  );
  api.op(
    {
      method: 'delete',
      path: '/projects/:project/labels/:labelId',
      summary: 'Delete a label',
      tag,
      auth: 'user',
      params: ZLabelParams,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await projectAccess(params.project, user, 'member');
      await deleteLabel(a.projectId, params.labelId);
      await bump(a.projectId);
      return undefined;
    },
  );
}

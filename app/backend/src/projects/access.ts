// Project-level authorization: resolves `:project` (id or key) for the caller. Non-members get
// 404 (the project's existence is not revealed); instance admins act as project admins.
import type { Principal } from '../platform/auth.ts';
import { forbidden, notFound } from '../platform/errors.ts';
import { Membership, Project, roleRank, type TProjectDoc, type TProjectRole } from './model.ts';

export interface ProjectAccess {
  project: TProjectDoc;
  projectId: string;
  role: TProjectRole;
}

const OBJECT_ID = /^[a-f0-9]{24}$/;

export async function projectAccess(
  ref: string,
  user: Principal,
  min: TProjectRole = 'viewer',
): Promise<ProjectAccess> {
  const project = OBJECT_ID.test(ref)
    ? await Project.findById(ref).lean<TProjectDoc>()
    : await Project.findOne({ key: ref.toUpperCase() }).lean<TProjectDoc>();
  if (!project) throw notFound('Project');
  const m = await Membership.findOne({ projectId: project._id, userId: user.userId }).lean();
  let role = m?.role as TProjectRole | undefined;
  if (user.role === 'admin' && (!role || roleRank(role) < roleRank('admin'))) role = 'admin';
  if (!role) throw notFound('Project');
  if (roleRank(role) < roleRank(min)) throw forbidden(`Requires the ${min} role in this project`);
  if (project.archived && min !== 'viewer' && min !== 'owner' && min !== 'admin')
    throw forbidden('The project is archived; unarchive it first');
  return { project, projectId: String(project._id), role };
}

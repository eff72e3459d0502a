import type { Principal } from '../platform/auth.ts';
import { conflict, conflictOnDuplicate, forbidden, notFound } from '../platform/errors.ts';
import { User } from '../users/model.ts';
import type { ProjectAccess } from './access.ts';
import {
  Counter,
  Label,
  Membership,
  Project,
  State,
  roleRank,
  toLabel,
  toProject,
  toState,
  type TProjectDoc,
  type TProjectRole,
  type TStateDoc,
} from './model.ts';

export const DEFAULT_STATES = [
  { name: 'Backlog', category: 'backlog', color: '#94a3b8' },
  { name: 'Todo', category: 'unstarted', color: '#64748b' },
  { name: 'In Progress', category: 'started', color: '#f59e0b' },
  { name: 'Done', category: 'completed', color: '#22c55e' },
  { name: 'Cancelled', category: 'cancelled', color: '#ef4444' },
] as const;

export async function listProjects(user: Principal, archived: boolean) {
  const memberships = await Membership.find({ userId: user.userId }).lean();
  const roles = new Map(memberships.map((m) => [String(m.projectId), m.role as TProjectRole]));
  const filter =
    user.role === 'admin' ? { archived } : { archived, _id: { $in: [...roles.keys()] } };
  const projects = await Project.find(filter).sort({ name: 1, _id: 1 }).lean<TProjectDoc[]>();
  return projects.map((p) => {
    const r = roles.get(String(p._id));
    return toProject(
      p,
      user.role === 'admin' && (!r || roleRank(r) < roleRank('admin')) ? 'admin' : (r ?? 'viewer'),
    );
  });
}

export async function createProject(
  user: Principal,
  input: { key: string; name: string; description: string },
) {
  if (await Project.exists({ key: input.key })) throw conflict(`Project key ${input.key} is taken`);
  const p = await conflictOnDuplicate(
    () => Project.create({ ...input, createdBy: user.userId }),
    `Project key ${input.key} is taken`,
  );
  // No transactions on FerretDB v1: the project is created first, then its children; a crash in
  // between leaves a project without states, which createTask repairs (ensureStates).
  await Membership.create({ projectId: p._id, userId: user.userId, role: 'owner' });
  await State.insertMany(DEFAULT_STATES.map((s, i) => ({ ...s, projectId: p._id, position: i })));
  return toProject(p.toObject(), 'owner');
}

export async function updateProject(
  a: ProjectAccess,
  patch: {
    name?: string | undefined;
    description?: string | undefined;
    archived?: boolean | undefined;
  },
) {
  if (patch.archived !== undefined && roleRank(a.role) < roleRank('owner'))
    throw forbidden('Only owners archive a project');
  const p = await Project.findByIdAndUpdate(
    a.projectId,
    { $set: patch },
    { new: true },
  ).lean<TProjectDoc>();
  if (!p) throw notFound('Project');
  return toProject(p, a.role);
}

// Members ---------------------------------------------------------------------------------------

async function memberView(m: { userId: unknown; role: string; addedAt: Date }) {
  const u = await User.findById(m.userId).lean();
  return {
    userId: String(m.userId),
    name: u?.name ?? '(deleted)',
    email: u?.email ?? '',
    role: m.role as TProjectRole,
    addedAt: m.addedAt,
  };
}

/** The user's role in the project, or null for a non-member. */
export async function memberRole(projectId: string, userId: string): Promise<TProjectRole | null> {
  const m = await Membership.findOne({ projectId, userId }).lean();
  return m ? (m.role as TProjectRole) : null;
}

export async function listMembers(projectId: string) {
  const ms = await Membership.find({ projectId }).sort({ addedAt: 1, _id: 1 }).lean();
  const users = await User.find({ _id: { $in: ms.map((m) => m.userId) } }).lean();
  const byId = new Map(users.map((u) => [String(u._id), u]));
  return ms.map((m) => {
    const u = byId.get(String(m.userId));
    return {
      userId: String(m.userId),
      name: u?.name ?? '(deleted)',
      email: u?.email ?? '',
      role: m.role as TProjectRole,
      addedAt: m.addedAt,
    };
  });
}

function assertCanGrant(a: ProjectAccess, from: TProjectRole | null, to: TProjectRole | null) {
  if (roleRank(a.role) < roleRank('admin'))
    throw forbidden('Only project owners and admins manage members');
  if ((from === 'owner' || to === 'owner') && a.role !== 'owner')
    throw forbidden('Only owners grant or revoke the owner role');
}

async function assertNotLastOwner(projectId: string, userId: string) {
  const owners = await Membership.find({ projectId, role: 'owner' }).lean();
  if (owners.length === 1 && String(owners[0]?.userId) === userId)
    throw conflict('A project needs at least one owner');
}

export async function addMember(a: ProjectAccess, userId: string, role: TProjectRole) {
  assertCanGrant(a, null, role);
  if (!(await User.exists({ _id: userId }))) throw notFound('User');
  if (await Membership.exists({ projectId: a.projectId, userId }))
    throw conflict('Already a member');
  const m = await conflictOnDuplicate(
    () => Membership.create({ projectId: a.projectId, userId, role }),
    'Already a member',
  );
  return memberView(m.toObject());
}

export async function updateMember(a: ProjectAccess, userId: string, role: TProjectRole) {
  const m = await Membership.findOne({ projectId: a.projectId, userId }).lean();
  if (!m) throw notFound('Member');
  assertCanGrant(a, m.role as TProjectRole, role);
  if (m.role === 'owner' && role !== 'owner') await assertNotLastOwner(a.projectId, userId);
  await Membership.updateOne({ _id: m._id }, { $set: { role } });
  return memberView({ ...m, role });
}

export async function removeMember(a: ProjectAccess, user: Principal, userId: string) {
  const m = await Membership.findOne({ projectId: a.projectId, userId }).lean();
  if (!m) throw notFound('Member');
  if (userId !== user.userId) assertCanGrant(a, m.role as TProjectRole, null);
  if (m.role === 'owner') await assertNotLastOwner(a.projectId, userId);
  await Membership.deleteOne({ _id: m._id });
}

// States ----------------------------------------------------------------------------------------

export async function listStates(projectId: string) {
  const states = await State.find({ projectId }).sort({ position: 1, _id: 1 }).lean<TStateDoc[]>();
  return states.map(toState);
}

export async function createState(
  projectId: string,
  input: { name: string; category: string; color?: string | undefined },
) {
  const last = await State.findOne({ projectId }).sort({ position: -1 }).lean<TStateDoc>();
  const s = await State.create({ ...input, projectId, position: last ? last.position + 1 : 0 });
  return toState(s.toObject());
}

export async function updateState(
  projectId: string,
  stateId: string,
  patch: {
    name?: string | undefined;
    category?: string | undefined;
    color?: string | undefined;
    position?: number | undefined;
  },
) {
  const { position, ...rest } = patch;
  const s = await State.findOneAndUpdate(
    { _id: stateId, projectId },
    { $set: rest },
    { new: true },
  ).lean<TStateDoc>();
  if (!s) throw notFound('State');
  if (position !== undefined) {
    // Re-number every state (a handful per project) so positions stay 0..n-1.
    const states = (
      await State.find({ projectId }).sort({ position: 1, _id: 1 }).lean<TStateDoc[]>()
    ).filter((x) => String(x._id) !== stateId);
    states.splice(Math.min(position, states.length), 0, s);
    await Promise.all(
      states.map((x, i) =>
        x.position === i ? null : State.updateOne({ _id: x._id }, { $set: { position: i } }),
      ),
    );
    return toState({ ...s, position: Math.min(position, states.length - 1) });
  }
  return toState(s);
}

// Labels ----------------------------------------------------------------------------------------

export async function listLabels(projectId: string) {
  return (await Label.find({ projectId }).sort({ name: 1 }).lean()).map(toLabel);
}

export async function createLabel(
  projectId: string,
  input: { name: string; color?: string | undefined },
) {
  if (await Label.exists({ projectId, name: input.name }))
    throw conflict('A label with this name exists');
  const l = await conflictOnDuplicate(
    () => Label.create({ ...input, projectId }),
    'A label with this name exists',
  );
  return toLabel(l.toObject());
}

export async function updateLabel(
  projectId: string,
  labelId: string,
  patch: { name?: string | undefined; color?: string | undefined },
) {
  if (patch.name && (await Label.exists({ projectId, name: patch.name, _id: { $ne: labelId } })))
    throw conflict('A label with this name exists');
  const l = await Label.findOneAndUpdate(
    { _id: labelId, projectId },
    { $set: patch },
    { new: true },
  ).lean();
  if (!l) throw notFound('Label');
  return toLabel(l);
}

export async function nextTaskNumber(projectId: string): Promise<number> {
  const c = await Counter.findOneAndUpdate(
    { _id: `task:${projectId}` },
    { $inc: { seq: 1 } },
    { upsert: true, new: true },
  ).lean();
  return c?.seq ?? 1;
}

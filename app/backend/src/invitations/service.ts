// Invitations: an admin (or a project admin, into their project) invites an e-mail address; the
// invitee opens the single-use link, chooses a name and password, and the account is created
// with the invited instance role and project memberships. No transactions (FerretDB v1): the
// token is claimed by a unique insert first, then the user, the memberships and the "accepted"
// mark are written; a crash in between leaves a pending-looking invitation whose link is spent,
// which "new link" (renew) repairs.
import type { Deps } from '../deps.ts';
import { record } from '../activity/service.ts';
import type { Principal } from '../platform/auth.ts';
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  isDuplicateKey,
  notFound,
} from '../platform/errors.ts';
import { cacheNs } from '../projects/access.ts';
import { Membership, Project, roleRank, type TProjectRole } from '../projects/model.ts';
import { User } from '../users/model.ts';
import { createUser } from '../users/service.ts';
import type { TUser } from '../users/model.ts';
import { describeTtl, queueEmail, type MailDeps } from './mail.ts';
import { claimToken, Invitation, type TInvitationDoc } from './model.ts';
import {
  acceptUrl,
  invitationStatus,
  newOneTimeToken,
  sha256,
  type InvitationStatus,
} from './tokens.ts';

export type InviteDeps = MailDeps & Pick<Deps, 'events' | 'cache'>;

export interface InvitationProject {
  projectId: string;
  key: string;
  name: string;
  role: TProjectRole;
}

export interface TInvitation {
  id: string;
  email: string;
  role: 'admin' | 'member';
  projects: InvitationProject[];
  projectScoped: boolean;
  status: InvitationStatus;
  invitedBy: { id: string; name: string };
  expiresAt: Date;
  createdAt: Date;
  acceptedAt: Date | null;
}

/** The answer to "invite" and "new link": the link itself only when it was not e-mailed. */
export interface IssuedInvitation {
  invitation: TInvitation;
  emailed: boolean;
  acceptUrl?: string;
}

type ProjectNames = Map<string, { key: string; name: string }>;

async function projectNames(docs: TInvitationDoc[]): Promise<ProjectNames> {
  const ids = [...new Set(docs.flatMap((d) => d.projects.map((p) => String(p.projectId))))];
  const found = ids.length
    ? await Project.find({ _id: { $in: ids } }, { key: 1, name: 1 }).lean()
    : [];
  return new Map(found.map((p) => [String(p._id), { key: p.key, name: p.name }]));
}

function toInvitation(d: TInvitationDoc, names: ProjectNames, now: number): TInvitation {
  return {
    id: String(d._id),
    email: d.email,
    role: d.role === 'admin' ? 'admin' : 'member',
    // A project deleted since the invitation was sent is left out (accepting skips it too).
    projects: d.projects.flatMap((p) => {
      const n = names.get(String(p.projectId));
      return n ? [{ projectId: String(p.projectId), ...n, role: p.role as TProjectRole }] : [];
    }),
    projectScoped: d.scopeProjectId !== null && d.scopeProjectId !== undefined,
    status: invitationStatus(d, now),
    invitedBy: { id: String(d.invitedBy), name: d.invitedByName },
    expiresAt: d.expiresAt,
    createdAt: d.createdAt,
    acceptedAt: d.acceptedAt ?? null,
  };
}

const ttlMs = (d: MailDeps) => d.config.INVITATION_TTL_HOURS * 3600_000;

/** E-mails the link (when possible) and builds the answer. */
async function issue(
  d: MailDeps,
  doc: TInvitationDoc,
  token: string,
  inviterName: string,
): Promise<IssuedInvitation> {
  const names = await projectNames([doc]);
  const invitation = toInvitation(doc, names, Date.now());
  const url = acceptUrl(d.config.FRONTEND_URL, token);
  const where = invitation.projects.length
    ? ` (${invitation.projects.map((p) => p.name).join(', ')})`
    : '';
  const emailed = await queueEmail(d, {
    to: doc.email,
    subject: `${inviterName} invited you to PMS`,
    text:
      `${inviterName} invited you to join PMS${where}.\n\n` +
      `Accept the invitation and choose your password here:\n${url}\n\n` +
      `The link works once and expires in ${describeTtl(ttlMs(d))}. ` +
      `If you did not expect this invitation, you can ignore this e-mail.\n`,
  });
  return emailed ? { invitation, emailed } : { invitation, emailed, acceptUrl: url };
}

async function assertNoAccount(email: string, hint: string): Promise<void> {
  if (await User.exists({ email }))
    throw new AppError('conflict', `${email} already has an account${hint}`, {
      details: [{ path: 'body.email', message: 'already has an account' }],
    });
}

export async function createInvitation(
  d: MailDeps,
  inviter: Principal,
  input: {
    email: string;
    role: 'admin' | 'member';
    projects: { projectId: string; role: TProjectRole }[];
    scopeProjectId?: string;
  },
): Promise<IssuedInvitation> {
  await assertNoAccount(
    input.email,
    input.scopeProjectId ? '; add them from the member list instead' : '',
  );
  const ids = input.projects.map((p) => p.projectId);
  const existing = new Set(
    (ids.length ? await Project.find({ _id: { $in: ids } }, { _id: 1 }).lean() : []).map((p) =>
      String(p._id),
    ),
  );
  const missing = input.projects.flatMap((p, i) =>
    existing.has(p.projectId)
      ? []
      : [{ path: `body.projects.${i}.projectId`, message: 'no such project' }],
  );
  if (missing.length) throw badRequest('Unknown project', missing);
  const token = newOneTimeToken();
  const doc = await Invitation.create({
    email: input.email,
    role: input.role,
    projects: input.projects,
    scopeProjectId: input.scopeProjectId ?? null,
    tokenHash: sha256(token),
    expiresAt: new Date(Date.now() + ttlMs(d)),
    invitedBy: inviter.userId,
    invitedByName: inviter.name,
  });
  return issue(d, doc.toObject() as TInvitationDoc, token, inviter.name);
}

/** A project admin's invitation into their project; only owners may invite owners. */
export async function createProjectInvitation(
  d: MailDeps,
  inviter: Principal,
  access: { projectId: string; role: TProjectRole },
  input: { email: string; role: TProjectRole },
): Promise<IssuedInvitation> {
  if (roleRank(access.role) < roleRank('admin'))
    throw forbidden('Only project owners and admins invite people');
  if (input.role === 'owner' && access.role !== 'owner')
    throw forbidden('Only owners grant the owner role');
  return createInvitation(d, inviter, {
    email: input.email,
    role: 'member',
    projects: [{ projectId: access.projectId, role: input.role }],
    scopeProjectId: access.projectId,
  });
}

/** Invitations, newest first. `scopeProjectId`: only those a project admin sent there. */
export async function listInvitations(opts: {
  status: 'pending' | 'all';
  scopeProjectId?: string;
}): Promise<TInvitation[]> {
  const now = new Date();
  const filter: Record<string, unknown> = {};
  if (opts.scopeProjectId) filter.scopeProjectId = opts.scopeProjectId;
  if (opts.status === 'pending')
    Object.assign(filter, { acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } });
  const docs = await Invitation.find(filter)
    .sort({ createdAt: -1, _id: -1 })
    .limit(200)
    .lean<TInvitationDoc[]>();
  const names = await projectNames(docs);
  return docs.map((doc) => toInvitation(doc, names, now.getTime()));
}

async function findScoped(id: string, scopeProjectId?: string): Promise<TInvitationDoc> {
  const doc = await Invitation.findById(id).lean<TInvitationDoc>();
  // A project admin sees only their project's invitations: others are "not found".
  if (!doc || (scopeProjectId && String(doc.scopeProjectId) !== scopeProjectId))
    throw notFound('Invitation');
  return doc;
}

export async function revokeInvitation(id: string, scopeProjectId?: string): Promise<void> {
  const doc = await findScoped(id, scopeProjectId);
  if (doc.acceptedAt) throw conflict('The invitation was already accepted');
  if (!doc.revokedAt)
    await Invitation.updateOne({ _id: doc._id }, { $set: { revokedAt: new Date() } });
}

/**
 * A new link for a pending or expired invitation (the old link stops working): the admin lost
 * the link, or the invitee let it expire.
 */
export async function renewInvitation(
  d: MailDeps,
  inviter: Principal,
  id: string,
  scopeProjectId?: string,
): Promise<IssuedInvitation> {
  const doc = await findScoped(id, scopeProjectId);
  const status = invitationStatus(doc, Date.now());
  if (status === 'accepted' || status === 'revoked')
    throw conflict(`The invitation was ${status}; send a new one`);
  await assertNoAccount(doc.email, '');
  const token = newOneTimeToken();
  const set = { tokenHash: sha256(token), expiresAt: new Date(Date.now() + ttlMs(d)) };
  await Invitation.updateOne({ _id: doc._id }, { $set: set });
  return issue(d, { ...doc, ...set }, token, inviter.name);
}

const GONE: Record<Exclude<InvitationStatus, 'pending'>, string> = {
  accepted: 'This invitation was already used. Sign in with your e-mail address and password.',
  revoked: 'This invitation was withdrawn. Ask your administrator for a new one.',
  expired: 'This invitation has expired. Ask your administrator for a new link.',
};

const gone = (reason: keyof typeof GONE) =>
  new AppError('gone', GONE[reason], { extra: { reason } });

/** The invitation a token opens, if it can still be accepted (404 unknown, 410 otherwise). */
async function usable(token: string): Promise<TInvitationDoc> {
  const doc = await Invitation.findOne({ tokenHash: sha256(token) }).lean<TInvitationDoc>();
  if (!doc) throw notFound('Invitation');
  const status = invitationStatus(doc, Date.now());
  if (status !== 'pending') throw gone(status);
  return doc;
}

/** What the accept page shows before the invitee chooses a password. */
export async function lookupInvitation(token: string) {
  const doc = await usable(token);
  const inv = toInvitation(doc, await projectNames([doc]), Date.now());
  return {
    email: inv.email,
    role: inv.role,
    projects: inv.projects.map(({ key, name, role }) => ({ key, name, role })),
    invitedBy: inv.invitedBy.name,
    expiresAt: inv.expiresAt,
  };
}

/**
 * Creates the account and joins the invited projects. Other pending invitations of the same
 * address are honoured at the same time (two project admins inviting one colleague): the
 * highest role per project, admin if any invitation says so.
 */
export async function acceptInvitation(
  d: InviteDeps,
  input: { token: string; name: string; password: string },
): Promise<TUser> {
  const hash = sha256(input.token);
  const doc = await usable(input.token);
  await assertNoAccount(doc.email, '; sign in instead');
  if (!(await claimToken('invite', hash, doc.expiresAt))) throw gone('accepted');
  const now = new Date();
  const others = await Invitation.find({
    email: doc.email,
    acceptedAt: null,
    revokedAt: null,
    expiresAt: { $gt: now },
    _id: { $ne: doc._id },
  }).lean<TInvitationDoc[]>();
  const all = [doc, ...others];
  const user = await createUser({
    name: input.name,
    email: doc.email,
    password: input.password,
    role: all.some((i) => i.role === 'admin') ? 'admin' : 'member',
  });
  const roles = new Map<string, TProjectRole>();
  for (const p of all.flatMap((i) => i.projects)) {
    const id = String(p.projectId);
    const cur = roles.get(id);
    if (!cur || roleRank(p.role as TProjectRole) > roleRank(cur))
      roles.set(id, p.role as TProjectRole);
  }
  const live = new Set(
    (roles.size
      ? await Project.find({ _id: { $in: [...roles.keys()] } }, { _id: 1 }).lean()
      : []
    ).map((p) => String(p._id)),
  );
  const actor: Principal = {
    userId: user.id,
    role: user.role,
    name: user.name,
    email: user.email,
    via: 'jwt',
  };
  for (const [projectId, role] of roles) {
    if (!live.has(projectId)) continue;
    try {
      await Membership.create({ projectId, userId: user.id, role });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      continue;
    }
    // A new user has no cached access yet; bumped anyway, like every membership change.
    await d.cache.bump(cacheNs(projectId));
    await record(d, actor, projectId, null, 'member.added', [
      { field: 'member', from: null, to: `${user.email} (${role})` },
    ]);
  }
  await Invitation.updateMany(
    { _id: { $in: all.map((i) => i._id) } },
    { $set: { acceptedAt: now, acceptedUserId: user.id } },
  );
  return user;
}

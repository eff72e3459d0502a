import { conflict, conflictOnDuplicate, notFound } from '../platform/errors.ts';
import { RefreshToken } from '../auth/model.ts';
import { hashPassword } from '../auth/password.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { Membership } from '../projects/model.ts';
import { escapeRegex } from '../tasks/query.ts';
import { User, toUser, type TUser } from './model.ts';

export async function createUser(input: {
  name: string;
  email: string;
  password: string;
  role?: 'admin' | 'member';
}): Promise<TUser> {
  if (await User.exists({ email: input.email })) throw conflict('Email already registered');
  const passwordHash = await hashPassword(input.password);
  const u = await conflictOnDuplicate(
    () =>
      User.create({
        name: input.name,
        email: input.email,
        role: input.role ?? 'member',
        passwordHash,
      }),
    'Email already registered',
  );
  return toUser(u.toObject());
}

/**
 * Ids of the users who share at least one project with `userId` (including `userId`): what a
 * non-admin may see in the user directory.
 */
async function coMemberIds(userId: string): Promise<string[]> {
  const mine = await Membership.find({ userId }, { projectId: 1 }).lean();
  const projectIds = mine.map((m) => m.projectId);
  const shared = projectIds.length
    ? await Membership.find({ projectId: { $in: projectIds } }, { userId: 1 }).lean()
    : [];
  return [...new Set([userId, ...shared.map((m) => String(m.userId))])];
}

/**
 * The user directory. Admins search everyone. Members see the users who share a project with
 * them, plus a user whose full e-mail address they type (so a project admin can add a colleague
 * by address) — never every user's address.
 */
export async function listUsers(
  q: string | undefined,
  limit: number,
  caller: { userId: string; role: 'admin' | 'member' },
): Promise<TUser[]> {
  const match = q
    ? {
        $or: [
          { name: { $regex: escapeRegex(q), $options: 'i' } },
          { email: { $regex: escapeRegex(q), $options: 'i' } },
        ],
      }
    : {};
  let filter: Record<string, unknown> = match;
  if (caller.role !== 'admin') {
    const visible = { _id: { $in: await coMemberIds(caller.userId) } };
    const exact = q?.includes('@') ? [{ email: q.trim().toLowerCase() }] : [];
    filter = { $or: [{ $and: [visible, match] }, ...exact] };
  }
  const users = await User.find(filter).sort({ name: 1, _id: 1 }).limit(limit).lean();
  return users.map(toUser);
}

export async function getUser(
  id: string,
  caller?: { userId: string; role: 'admin' | 'member' },
): Promise<TUser> {
  if (caller && caller.role !== 'admin' && !(await coMemberIds(caller.userId)).includes(id))
    throw notFound('User');
  const u = await User.findById(id).lean();
  if (!u) throw notFound('User');
  return toUser(u);
}

/**
 * Refuses to demote or disable the last active admin (the instance would have nobody left to
 * manage users). Without transactions two admins demoting each other at the same instant can
 * both pass; the ADMIN_EMAIL bootstrap does not help then, a database edit would.
 */
async function assertNotLastAdmin(id: string): Promise<void> {
  const target = await User.findById(id, { role: 1, disabled: 1 }).lean();
  if (!target || target.role !== 'admin' || target.disabled) return;
  const others = await User.countDocuments({ _id: { $ne: id }, role: 'admin', disabled: false });
  if (others === 0)
    throw conflict('This is the last active administrator; make someone else an admin first');
}

/**
 * Updates a user. A role or `disabled` change bumps the session version in the same write, so
 * every access token issued before stops working on the next request (see auth/sessions.ts);
 * disabling also revokes every refresh-token family, so a later re-enable needs a new login.
 */
export async function updateUser(
  id: string,
  patch: {
    name?: string | undefined;
    role?: 'admin' | 'member' | undefined;
    disabled?: boolean | undefined;
  },
  sessions: SessionStore,
): Promise<TUser> {
  if (patch.role === 'member' || patch.disabled === true) await assertNotLastAdmin(id);
  const endsAccess = patch.role !== undefined || patch.disabled !== undefined;
  const update = endsAccess ? { $set: patch, $inc: { sessionVersion: 1 } } : { $set: patch };
  const u = await User.findByIdAndUpdate(id, update, { new: true }).lean();
  if (!u) throw notFound('User');
  if (patch.disabled === true)
    await RefreshToken.updateMany(
      { userId: id, revokedAt: null },
      { $set: { revokedAt: new Date() } },
    );
  await sessions.publishUser(id);
  return toUser(u);
}

/** First admin from ADMIN_EMAIL / ADMIN_PASSWORD when the database holds no user yet. */
export async function bootstrapAdmin(admin: {
  email?: string | undefined;
  password?: string | undefined;
  name: string;
}): Promise<TUser | null> {
  if (!admin.email || !admin.password) return null;
  if ((await User.estimatedDocumentCount()) > 0) return null;
  try {
    return await createUser({
      name: admin.name,
      email: admin.email.toLowerCase(),
      password: admin.password,
      role: 'admin',
    });
  } catch (err) {
    // Another replica won the race.
    if ((err as { code?: string }).code === 'conflict') return null;
    throw err;
  }
}

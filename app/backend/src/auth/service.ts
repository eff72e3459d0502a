import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Principal } from '../platform/auth.ts';
import { AppError, isDuplicateKey, unauthorized } from '../platform/errors.ts';
import { ApiToken } from '../tokens/model.ts';
import { User, toUser, type TUser, type TUserDoc } from '../users/model.ts';
import { hashPassword, needsRehash, verifyPassword } from './password.ts';
import { RefreshClaim, RefreshToken } from './model.ts';
import type { SessionStore } from './sessions.ts';
import { isApiToken, newRefreshToken, openToken, sealToken, sha256 } from './tokens.ts';

export interface AuthSettings {
  secret: Uint8Array;
  accessTtl: number;
  refreshTtl: number;
  sessions: SessionStore;
  /** A rotated refresh token presented again within this many ms gets the same successor. */
  refreshGraceMs: number;
}

export interface Session {
  accessToken: string;
  expiresIn: number;
  user: TUser;
  refreshToken: string;
}

// Unknown emails cost as much as wrong passwords (no user enumeration by timing).
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword('not-a-password'));

/** `sv`: the user's session version at issue time; `sid`: the refresh-token family (login). */
async function issueAccessToken(
  user: TUser,
  session: { sv: number; sid: string },
  s: AuthSettings,
): Promise<string> {
  return new SignJWT({
    role: user.role,
    name: user.name,
    email: user.email,
    sv: session.sv,
    sid: session.sid,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + s.accessTtl)
    .setIssuer('pms')
    .sign(s.secret);
}

async function issueSession(
  user: TUser,
  sv: number,
  familyId: string,
  s: AuthSettings,
): Promise<Session> {
  const refreshToken = newRefreshToken();
  await RefreshToken.create({
    userId: user.id,
    familyId,
    tokenHash: sha256(refreshToken),
    expiresAt: new Date(Date.now() + s.refreshTtl * 1000),
  });
  return {
    accessToken: await issueAccessToken(user, { sv, sid: familyId }, s),
    expiresIn: s.accessTtl,
    user,
    refreshToken,
  };
}

export async function login(email: string, password: string, s: AuthSettings): Promise<Session> {
  const u = await User.findOne({ email: email.toLowerCase() }).lean<TUserDoc>();
  const ok = await verifyPassword(password, u?.passwordHash ?? (await dummy()));
  if (!u || !ok || u.disabled)
    throw new AppError('invalid_credentials', 'Invalid email or password');
  // Upgrade a bcrypt (or differently tuned) hash now that the plain password is at hand. The
  // filter on the old hash keeps a password changed meanwhile from being overwritten.
  if (needsRehash(u.passwordHash))
    await User.updateOne(
      { _id: u._id, passwordHash: u.passwordHash },
      { $set: { passwordHash: await hashPassword(password) } },
    );
  return issueSession(toUser(u), u.sessionVersion ?? 0, randomUUID(), s);
}

/** A new login for a user who was just created (registration): session version 0. */
export async function startSession(user: TUser, s: AuthSettings): Promise<Session> {
  return issueSession(user, 0, randomUUID(), s);
}

/**
 * Rotates a refresh token. Concurrent tabs: a rotated token presented again within the grace
 * window answers with the same successor (and a fresh access token), so two tabs loading
 * together stay signed in. After the window, a replay is reuse: the whole family is revoked.
 */
export async function refresh(token: string, s: AuthSettings): Promise<Session> {
  const hash = sha256(token);
  const now = new Date();
  const known = await RefreshToken.findOne({ tokenHash: hash }).lean();
  if (!known) throw unauthorized('Invalid refresh token');
  const revokeFamily = async () => {
    await RefreshToken.updateMany(
      { familyId: known.familyId, revokedAt: null },
      { $set: { revokedAt: now } },
    );
    await s.sessions.publishFamiliesRevoked([known.familyId]);
  };
  const reused = () =>
    new AppError(
      'token_reused',
      'Refresh token reuse detected; all sessions of this login were revoked',
    );
  const replay = async () => {
    const again = await sameSuccessor(known._id, known.familyId, now, s);
    if (again) return again;
    await revokeFamily();
    throw reused();
  };
  if (known.revokedAt) throw unauthorized('Refresh token revoked');
  if (known.usedAt) return replay();
  // Atomic claim: only one request can rotate a given token (see RefreshClaim).
  try {
    await RefreshClaim.create({ _id: hash, expiresAt: known.expiresAt });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return replay();
  }
  await RefreshToken.updateOne({ _id: known._id }, { $set: { usedAt: now } });
  if (known.expiresAt.getTime() <= now.getTime()) throw unauthorized('Refresh token expired');
  const u = await User.findById(known.userId).lean<TUserDoc>();
  if (!u || u.disabled) throw unauthorized('User no longer active');
  const session = await issueSession(toUser(u), u.sessionVersion ?? 0, known.familyId, s);
  await RefreshToken.updateOne(
    { _id: known._id },
    { $set: { successor: sealToken(session.refreshToken, s.secret) } },
  );
  return session;
}

/**
 * The successor of a token rotated less than `refreshGraceMs` before `now`, waiting briefly for
 * a concurrent winner to record it. Null: outside the window (or never recorded) → reuse.
 */
async function sameSuccessor(
  id: unknown,
  familyId: string,
  now: Date,
  s: AuthSettings,
): Promise<Session | null> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const cur = await RefreshToken.findById(id).lean();
    if (!cur || cur.revokedAt) return null;
    if (cur.usedAt && now.getTime() - cur.usedAt.getTime() > s.refreshGraceMs) return null;
    const next = cur.successor ? openToken(cur.successor, s.secret) : null;
    if (next) {
      const succ = await RefreshToken.findOne({ tokenHash: sha256(next) }).lean();
      if (!succ || succ.revokedAt) return null;
      const u = await User.findById(cur.userId).lean<TUserDoc>();
      if (!u || u.disabled) return null;
      const user = toUser(u);
      return {
        accessToken: await issueAccessToken(user, { sv: u.sessionVersion ?? 0, sid: familyId }, s),
        expiresIn: s.accessTtl,
        user,
        refreshToken: next,
      };
    }
    await sleep(100);
  }
  return null;
}

/**
 * Ends one login: its refresh-token family is revoked, and access tokens issued to it (they
 * carry `sid`) are refused from the next request on.
 */
export async function logout(token: string | undefined, s: AuthSettings): Promise<void> {
  if (!token) return;
  const known = await RefreshToken.findOne({ tokenHash: sha256(token) }).lean();
  if (!known) return;
  await RefreshToken.updateMany(
    { familyId: known.familyId, revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  await s.sessions.publishFamiliesRevoked([known.familyId]);
}

/** Ends every login of a user: session version bump plus revocation of every family. */
export async function endAllSessions(userId: string, s: AuthSettings): Promise<void> {
  await User.updateOne({ _id: userId }, { $inc: { sessionVersion: 1 } });
  await RefreshToken.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: new Date() } });
  await s.sessions.publishUser(userId);
}

export async function changePassword(
  userId: string,
  current: string,
  next: string,
  s: AuthSettings,
): Promise<void> {
  const u = await User.findById(userId).lean<TUserDoc>();
  if (!u || !(await verifyPassword(current, u.passwordHash)))
    throw new AppError('validation_error', 'Current password is wrong', {
      details: [{ path: 'body.currentPassword', message: 'is wrong' }],
    });
  await User.updateOne({ _id: userId }, { $set: { passwordHash: await hashPassword(next) } });
  await endAllSessions(userId, s);
}

/** Resolves a bearer credential (JWT access token or pms_ API token). */
export async function verifyBearer(token: string, s: AuthSettings): Promise<Principal> {
  if (isApiToken(token)) {
    const t = await ApiToken.findOne({ tokenHash: sha256(token) }).lean();
    if (!t || (t.expiresAt && t.expiresAt.getTime() <= Date.now()))
      throw unauthorized('Invalid API token');
    const u = await s.sessions.user(String(t.userId), 0);
    if (!u || u.disabled) throw unauthorized('Invalid API token');
    // lastUsedAt is informative: at most one write per minute per token.
    if (!t.lastUsedAt || Date.now() - t.lastUsedAt.getTime() > 60_000)
      void ApiToken.updateOne({ _id: t._id }, { $set: { lastUsedAt: new Date() } }).catch(
        () => undefined,
      );
    return {
      userId: String(t.userId),
      role: u.role,
      name: u.name,
      email: u.email,
      via: 'api_token',
    };
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, s.secret, { issuer: 'pms', algorithms: ['HS256'] }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired)
      throw new AppError('token_expired', 'Access token expired');
    throw unauthorized('Invalid access token');
  }
  if (typeof payload.sub !== 'string' || !/^[a-f0-9]{24}$/.test(payload.sub))
    throw unauthorized('Invalid access token');
  // The token is a snapshot: the user's current state decides (see sessions.ts).
  const sv = typeof payload.sv === 'number' ? payload.sv : 0;
  const [u, ended] = await Promise.all([
    s.sessions.user(payload.sub, sv),
    typeof payload.sid === 'string' ? s.sessions.familyRevoked(payload.sid) : false,
  ]);
  if (!u || u.disabled) throw unauthorized('Account disabled');
  if (ended) throw unauthorized('Session ended');
  // Older version: a role change, password change or "log out everywhere" happened since. A
  // refresh (if the login still stands) issues a token with the current rights.
  if (sv < u.sv) throw new AppError('token_expired', 'Session changed; refresh the access token');
  return { userId: payload.sub, role: u.role, name: u.name, email: u.email, via: 'jwt' };
}

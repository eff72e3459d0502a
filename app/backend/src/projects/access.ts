// Project-level authorization: resolves `:project` (id or key) for the caller. Non-members get
// 404 (the project's existence is not revealed); instance admins act as project admins.
import type { Principal } from '../platform/auth.ts';
import type { Cache } from '../platform/cache.ts';
import { forbidden, notFound } from '../platform/errors.ts';
import type { AccessCache } from './access-cache.ts';
import { Membership, Project, roleRank, type TProjectDoc, type TProjectRole } from './model.ts';

/** The project fields the decision and the task routes need (what the access cache keeps). */
export type AccessProject = Pick<TProjectDoc, '_id' | 'key' | 'name' | 'archived'>;
const ACCESS_FIELDS = { key: 1, name: 1, archived: 1 } as const;

export interface ProjectAccess<P extends AccessProject = TProjectDoc> {
  project: P;
  projectId: string;
  role: TProjectRole;
}

/** What the check reads from MongoDB: the project and the caller's membership role (if any). */
export interface Grant<P extends AccessProject = AccessProject> {
  project: P;
  memberRole: TProjectRole | null;
}

/** The read-through cache namespace of a project; its version also validates cached access. */
export const cacheNs = (projectId: string) => `p:${projectId}`;

const OBJECT_ID = /^[a-f0-9]{24}$/;

async function loadGrant<P extends AccessProject>(
  ref: string,
  userId: string,
  fields: typeof ACCESS_FIELDS | null,
): Promise<Grant<P>> {
  const project = OBJECT_ID.test(ref)
    ? await Project.findById(ref, fields).lean<P>()
    : await Project.findOne({ key: ref.toUpperCase() }, fields).lean<P>();
  if (!project) throw notFound('Project');
  const m = await Membership.findOne({ projectId: project._id, userId }).lean();
  return { project, memberRole: (m?.role as TProjectRole | undefined) ?? null };
}

/** The caller's role in the project, or null (not a member, not an instance admin). */
function roleOf(g: Grant<AccessProject>, user: Principal): TProjectRole | null {
  const role = g.memberRole;
  if (user.role === 'admin' && (!role || roleRank(role) < roleRank('admin'))) return 'admin';
  return role;
}

/** The decision, from a grant and the caller's current (session-checked) instance role. */
function decide<P extends AccessProject>(
  g: Grant<P>,
  user: Principal,
  min: TProjectRole,
): ProjectAccess<P> {
  const role = roleOf(g, user);
  if (!role) throw notFound('Project');
  if (roleRank(role) < roleRank(min)) throw forbidden(`Requires the ${min} role in this project`);
  if (g.project.archived && min !== 'viewer' && min !== 'owner' && min !== 'admin')
    throw forbidden('The project is archived; unarchive it first');
  return { project: g.project, projectId: String(g.project._id), role };
}

/** The access check against MongoDB (2 commands). */
export async function projectAccess(
  ref: string,
  user: Principal,
  min: TProjectRole = 'viewer',
): Promise<ProjectAccess> {
  return decide(await loadGrant<TProjectDoc>(ref, user.userId, null), user, min);
}

export interface CachedAccess {
  /** With the fields of `AccessProject` only (see ACCESS_FIELDS). */
  access: ProjectAccess<AccessProject>;
  /**
   * The project's cache version read before the check (pass it on to `cache.json`); null: the
   * cache is unusable right now; undefined: not read.
   */
  version: string | null | undefined;
}

/**
 * `projectAccess` through the per-process access cache: while the project's cache version is
 * the one an entry was loaded at, no MongoDB command (1 Redis GET, whose version the caller
 * reuses for its cached body). The version is read before MongoDB, so a change that lands
 * meanwhile bumps it past the stored one. Redis down, caching off or a bump pending: the
 * MongoDB check every time. The decision (role, archived) is made per request from the grant
 * and the caller's current instance role, so only project-side facts are cached.
 */
export async function cachedProjectAccess(
  deps: { cache: Cache; accessCache: AccessCache<Grant> },
  ref: string,
  user: Principal,
  min: TProjectRole = 'viewer',
): Promise<CachedAccess> {
  const { cache, accessCache } = deps;
  const key = OBJECT_ID.test(ref) ? null : ref.toUpperCase();
  const pid = key === null ? ref : accessCache.idOfKey(key);
  if (pid === undefined) {
    // A key not seen yet: this check tells its id, for the next request.
    const g = await loadGrant(ref, user.userId, ACCESS_FIELDS);
    if (key !== null) accessCache.rememberKey(key, String(g.project._id));
    return { access: decide(g, user, min), version: undefined };
  }
  const version = await cache.version(cacheNs(pid));
  if (version === null)
    return { access: decide(await loadGrant(ref, user.userId, ACCESS_FIELDS), user, min), version };
  const hit = accessCache.get(user.userId, pid, version);
  if (hit) return { access: decide(hit, user, min), version };
  const g = await loadGrant(ref, user.userId, ACCESS_FIELDS);
  if (String(g.project._id) !== pid) {
    // The key names another project now (the one it named was deleted).
    if (key !== null) accessCache.rememberKey(key, String(g.project._id));
    return { access: decide(g, user, min), version: undefined };
  }
  // Only grants that let the caller in are kept (not a memory for probes of other projects);
  // the project document is shared by the requests that hit it, so it is frozen.
  if (roleOf(g, user)) {
    Object.freeze(g.project);
    accessCache.set(user.userId, pid, version, g);
  }
  return { access: decide(g, user, min), version };
}

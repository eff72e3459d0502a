// Saved view rules. Who sees a view: its owner; everyone in the project when shared. Who changes
// or deletes it: its owner; project admins (and instance admins) when it is shared. Sharing
// publishes to the project, so it needs the member role (viewers keep private views).
import type { Principal } from '../platform/auth.ts';
import { badRequest, conflictOnDuplicate, forbidden, notFound } from '../platform/errors.ts';
import type { ProjectAccess } from '../projects/access.ts';
import { roleRank } from '../projects/model.ts';
import { SavedView, toView, type TSavedViewDoc, type TView } from './model.ts';
import type { TCreateView, TUpdateView } from './schemas.ts';

/** Views one user may keep in one project. */
export const MAX_VIEWS_PER_USER = 50;

export interface ViewCtx {
  user: Principal;
  access: ProjectAccess;
}

const isAdmin = (c: ViewCtx) => roleRank(c.access.role) >= roleRank('admin');
const owns = (c: ViewCtx, v: TSavedViewDoc) => String(v.ownerId) === c.user.userId;
const canEdit = (c: ViewCtx, v: TSavedViewDoc) => owns(c, v) || (v.shared && isAdmin(c));
const view = (c: ViewCtx, v: TSavedViewDoc) => toView(v, canEdit(c, v));

function checkShare(c: ViewCtx, shared: boolean | undefined) {
  if (shared && roleRank(c.access.role) < roleRank('member'))
    throw forbidden('Sharing a view with the project requires the member role');
}

const duplicateName = (name: string) => `You already have a view named "${name}" in this project`;

export async function listViews(c: ViewCtx): Promise<{ items: TView[] }> {
  const rows = await SavedView.find({
    projectId: c.access.projectId,
    $or: [{ ownerId: c.user.userId }, { shared: true }],
  })
    .sort({ name: 1, _id: 1 })
    .lean<TSavedViewDoc[]>();
  return { items: rows.map((v) => view(c, v)) };
}

async function readable(c: ViewCtx, id: string): Promise<TSavedViewDoc> {
  const v = await SavedView.findOne({
    _id: id,
    projectId: c.access.projectId,
  }).lean<TSavedViewDoc>();
  // Someone else's private view does not exist as far as the caller is concerned.
  if (!v || (!owns(c, v) && !v.shared)) throw notFound('View');
  return v;
}

export async function getView(c: ViewCtx, id: string): Promise<TView> {
  return view(c, await readable(c, id));
}

export async function createView(c: ViewCtx, input: TCreateView): Promise<TView> {
  checkShare(c, input.shared);
  const n = await SavedView.countDocuments({
    projectId: c.access.projectId,
    ownerId: c.user.userId,
  });
  if (n >= MAX_VIEWS_PER_USER)
    throw badRequest('Too many views', [
      { path: 'body', message: `at most ${MAX_VIEWS_PER_USER} views per user and project` },
    ]);
  const doc = await conflictOnDuplicate(
    () =>
      SavedView.create({
        ...input,
        projectId: c.access.projectId,
        ownerId: c.user.userId,
        ownerName: c.user.name,
      }),
    duplicateName(input.name),
  );
  return view(c, doc.toObject());
}

export async function updateView(c: ViewCtx, id: string, patch: TUpdateView): Promise<TView> {
  const v = await readable(c, id);
  if (!canEdit(c, v)) throw forbidden('Only the owner or a project admin can change this view');
  if (patch.shared && !v.shared) checkShare(c, true);
  const after = await conflictOnDuplicate(
    () =>
      SavedView.findOneAndUpdate(
        { _id: v._id },
        { $set: patch },
        { new: true },
      ).lean<TSavedViewDoc>(),
    duplicateName(patch.name ?? v.name),
  );
  if (!after) throw notFound('View');
  return view(c, after);
}

export async function deleteView(c: ViewCtx, id: string): Promise<void> {
  const v = await readable(c, id);
  if (!canEdit(c, v)) throw forbidden('Only the owner or a project admin can delete this view');
  await SavedView.deleteOne({ _id: v._id });
}

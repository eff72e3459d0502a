import type { TaskCtx } from '../tasks/service.ts';
import { cacheNs } from '../projects/access.ts';
import { findTask } from '../tasks/service.ts';
import { record } from '../activity/service.ts';
import { forbidden, notFound } from '../platform/errors.ts';
import { Membership, roleRank } from '../projects/model.ts';
import { notify } from '../notifications/service.ts';
import { User } from '../users/model.ts';
import { Comment, toComment, type TCommentDoc } from './model.ts';
import { resolveMentions } from './mentions.ts';

async function projectMembers(projectId: string) {
  const ms = await Membership.find({ projectId }).lean();
  const users = await User.find({ _id: { $in: ms.map((m) => m.userId) } }).lean();
  return users.map((u) => ({ id: String(u._id), name: u.name, email: u.email }));
}

export async function listComments(c: TaskCtx, ref: string, limit: number, cursor?: string) {
  const t = await findTask(c.access, ref);
  const q: Record<string, unknown> = { taskId: t._id };
  if (cursor) q._id = { $gt: cursor };
  const rows = await Comment.find(q)
    .sort({ _id: 1 })
    .limit(limit + 1)
    .lean<TCommentDoc[]>();
  const page = rows.slice(0, limit);
  return {
    items: page.map(toComment),
    nextCursor: rows.length > limit && page.length ? String(page[page.length - 1]?._id) : null,
  };
}

export async function addComment(c: TaskCtx, ref: string, body: string) {
  const pid = c.access.projectId;
  const t = await findTask(c.access, ref);
  const mentions = resolveMentions(body, await projectMembers(pid));
  const doc = await Comment.create({
    projectId: pid,
    taskId: t._id,
    authorId: c.user.userId,
    authorName: c.user.name,
    body,
    mentions,
  });
  await record(c.deps, c.user, pid, String(t._id), 'comment.created', [
    { field: 'comment', from: null, to: body.slice(0, 200) },
  ]);
  const taskKey = `${c.access.project.key}-${t.number}`;
  const n = {
    queue: c.deps.queue,
    logger: c.deps.logger,
    frontendUrl: c.deps.config.FRONTEND_URL,
    events: c.deps.events,
  };
  const base = { projectId: pid, taskId: String(t._id), taskKey };
  await notify(n, c.user, mentions, {
    ...base,
    type: 'mention',
    message: `${c.user.name} mentioned you on ${taskKey}: ${t.title}`,
  });
  const mentioned = new Set(mentions);
  await notify(
    n,
    c.user,
    t.assigneeIds.map(String).filter((id) => !mentioned.has(id)),
    { ...base, type: 'comment', message: `${c.user.name} commented on ${taskKey}: ${t.title}` },
  );
  await c.deps.cache.bump(cacheNs(pid));
  return toComment(doc.toObject());
}

async function ownComment(c: TaskCtx, id: string, allowAdmin: boolean) {
  const doc = await Comment.findOne({ _id: id, projectId: c.access.projectId }).lean<TCommentDoc>();
  if (!doc) throw notFound('Comment');
  const own = String(doc.authorId) === c.user.userId;
  if (!own && !(allowAdmin && roleRank(c.access.role) >= roleRank('admin')))
    throw forbidden('Only the author can change this comment');
  return doc;
}

export async function editComment(c: TaskCtx, id: string, body: string) {
  const doc = await ownComment(c, id, false);
  const mentions = resolveMentions(body, await projectMembers(c.access.projectId));
  const after = await Comment.findByIdAndUpdate(
    doc._id,
    { $set: { body, mentions } },
    { new: true },
  ).lean<TCommentDoc>();
  if (!after) throw notFound('Comment');
  await record(c.deps, c.user, c.access.projectId, String(doc.taskId), 'comment.updated', [
    { field: 'comment', from: doc.body.slice(0, 200), to: body.slice(0, 200) },
  ]);
  return toComment(after);
}

export async function deleteComment(c: TaskCtx, id: string) {
  const doc = await ownComment(c, id, true);
  await Comment.deleteOne({ _id: doc._id });
  await record(c.deps, c.user, c.access.projectId, String(doc.taskId), 'comment.deleted', []);
}

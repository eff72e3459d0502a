// Deleting a project, a state or a label: what goes with it and what must stay consistent.
// Separate from service.ts because a project's deletion reaches into every feature that stores
// data per project (attachments, comments, tasks, activity, notifications, webhooks).
import { Activity } from '../activity/model.ts';
import { removeAttachmentsOf } from '../attachments/service.ts';
import { Comment } from '../comments/model.ts';
import type { Deps } from '../deps.ts';
import { Notification } from '../notifications/model.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { Task } from '../tasks/model.ts';
import { deleteWebhooksOf } from '../webhooks/service.ts';
import { Counter, Label, Membership, Project, State } from './model.ts';

/**
 * No transactions (FerretDB v1): children first, the project last, so a retry after a crash
 * finds the project and finishes the job.
 */
export async function deleteProject(deps: Deps, projectId: string) {
  await removeAttachmentsOf(deps, { projectId });
  await Comment.deleteMany({ projectId });
  await Task.deleteMany({ projectId });
  await State.deleteMany({ projectId });
  await Label.deleteMany({ projectId });
  await Activity.deleteMany({ projectId });
  await Notification.deleteMany({ projectId });
  await deleteWebhooksOf(projectId);
  await Counter.deleteOne({ _id: `task:${projectId}` });
  await Membership.deleteMany({ projectId });
  await Project.deleteOne({ _id: projectId });
}

/**
 * A project keeps at least one state, and no task is left in a deleted state: a state that
 * still holds tasks is deleted only with `moveTo`, another state of the project they move to.
 */
export async function deleteState(projectId: string, stateId: string, moveTo?: string) {
  if (!(await State.exists({ _id: stateId, projectId }))) throw notFound('State');
  if ((await State.countDocuments({ projectId })) <= 1)
    throw conflict('A project needs at least one state');
  if (await Task.exists({ projectId, stateId })) {
    if (!moveTo || moveTo === stateId)
      throw conflict('The state still holds tasks; pass ?moveTo=<stateId>');
    if (!(await State.exists({ _id: moveTo, projectId }))) throw notFound('Target state');
    await Task.updateMany({ projectId, stateId }, { $set: { stateId: moveTo } });
  }
  await State.deleteOne({ _id: stateId });
}

/** Deleting a label takes it off every task that carries it. */
export async function deleteLabel(projectId: string, labelId: string) {
  const r = await Label.deleteOne({ _id: labelId, projectId });
  if (r.deletedCount === 0) throw notFound('Label');
  await Task.updateMany({ projectId, labelIds: labelId }, { $pull: { labelIds: labelId } });
}

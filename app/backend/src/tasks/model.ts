import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export type TPriority = (typeof PRIORITIES)[number];

const taskSchema = new Schema(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    number: { type: Number, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    stateId: { type: Schema.Types.ObjectId, required: true },
    priority: { type: String, enum: PRIORITIES, default: 'none' },
    // Numeric twin of priority so that "urgent first" is an index sort.
    priorityOrder: { type: Number, default: 0 },
    assigneeIds: { type: [Schema.Types.ObjectId], default: [] },
    labelIds: { type: [Schema.Types.ObjectId], default: [] },
    dueDate: { type: Date, default: null },
    estimate: { type: Number, default: null },
    parentId: { type: Schema.Types.ObjectId, default: null },
    rank: { type: String, required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    // Incremented by every write of the task: the ETag, and the value an update must still
    // find (see `writeAt` in service.ts). Tasks written before it existed read as 0.
    version: { type: Number, default: 0 },
  },
  { timestamps: true },
);
// One index per query shape the API issues (see README "Indexes").
taskSchema.index({ projectId: 1, number: 1 }, { unique: true });
taskSchema.index({ projectId: 1, stateId: 1, rank: 1 });
taskSchema.index({ projectId: 1, createdAt: -1, _id: -1 });
taskSchema.index({ projectId: 1, updatedAt: -1, _id: -1 });
taskSchema.index({ projectId: 1, priorityOrder: -1, _id: -1 });
taskSchema.index({ projectId: 1, assigneeIds: 1 });
taskSchema.index({ projectId: 1, labelIds: 1 });
taskSchema.index({ projectId: 1, dueDate: 1 });
taskSchema.index({ parentId: 1 });

export type TTaskDoc = InferSchemaType<typeof taskSchema> & { _id: mongoose.Types.ObjectId };
export const Task = mongoose.model('Task', taskSchema);

/**
 * One document per task write in progress, `_id` = `<taskId>:<version being written>`. FerretDB
 * v1 applies an update by reading, changing and writing the document back without isolation, so
 * a version in the update filter alone does not stop two writers that read the same version; the
 * unique `_id` does (the same primitive as refresh claims). Deleted when the write is done.
 */
const taskClaimSchema = new Schema({ _id: String, at: { type: Date, required: true } });
export const TaskClaim = mongoose.model('TaskClaim', taskClaimSchema, 'taskclaims');

export const toTask = (t: TTaskDoc, projectKey: string) => ({
  id: String(t._id),
  projectId: String(t.projectId),
  number: t.number,
  key: `${projectKey}-${t.number}`,
  title: t.title,
  description: t.description,
  stateId: String(t.stateId),
  priority: t.priority as TPriority,
  assigneeIds: t.assigneeIds.map(String),
  labelIds: t.labelIds.map(String),
  dueDate: t.dueDate ? t.dueDate.toISOString() : null,
  estimate: t.estimate ?? null,
  parentId: t.parentId ? String(t.parentId) : null,
  rank: t.rank,
  createdBy: String(t.createdBy),
  version: t.version ?? 0,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});
export type TTask = ReturnType<typeof toTask>;

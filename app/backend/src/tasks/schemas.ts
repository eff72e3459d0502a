import { z } from 'zod';
import { ZLimit, ZObjectId, ZQueryList } from '../platform/http.ts';
import { ZLine, ZStrictDate } from '../platform/text.ts';
import { component, page, ZDateTime, ZId } from '../platform/response.ts';
import { ZProjectParams, ZState } from '../projects/schemas.ts';
import { PRIORITIES } from './model.ts';
import { SORTS } from './query.ts';

const ZDate = ZStrictDate;

export const ZTaskParams = ZProjectParams.extend({
  task: z
    .string()
    .regex(
      /^([a-f0-9]{24}|\d{1,9}|[A-Za-z][A-Za-z0-9]{1,9}-\d{1,9})$/,
      'must be a task id, number or key',
    ),
});

const fields = {
  title: ZLine(300),
  description: z.string().max(100_000),
  stateId: ZObjectId,
  priority: z.enum(PRIORITIES),
  assigneeIds: z.array(ZObjectId).max(20),
  labelIds: z.array(ZObjectId).max(50),
  dueDate: ZDate.nullable(),
  estimate: z.number().min(0).max(100_000).nullable(),
  parentId: ZObjectId.nullable(),
};

export const ZCreateTaskSchema = z.object({
  title: fields.title,
  description: fields.description.default(''),
  stateId: fields.stateId.optional(),
  priority: fields.priority.default('none'),
  assigneeIds: fields.assigneeIds.default([]),
  labelIds: fields.labelIds.default([]),
  dueDate: fields.dueDate.optional(),
  estimate: fields.estimate.optional(),
  parentId: fields.parentId.optional(),
});
export type TCreateTask = z.output<typeof ZCreateTaskSchema>;

export const ZUpdateTaskSchema = z.object(fields).partial().strict();
export type TUpdateTask = z.output<typeof ZUpdateTaskSchema>;

export const ZMoveTaskSchema = z
  .object({ stateId: ZObjectId, index: z.number().int().min(0).optional() })
  .strict();

const ZPriorityList = ZQueryList.pipe(z.array(z.enum(PRIORITIES)));
const ZIdList = ZQueryList.pipe(z.array(ZObjectId));

export const ZTaskFilterQuery = z.object({
  state: ZIdList.optional(),
  assignee: ZQueryList.pipe(
    z.array(z.union([ZObjectId, z.literal('me'), z.literal('none')])),
  ).optional(),
  label: ZIdList.optional(),
  priority: ZPriorityList.optional(),
  dueBefore: ZDate.optional(),
  dueAfter: ZDate.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  parent: ZObjectId.optional(),
});
export type TTaskFilter = z.output<typeof ZTaskFilterQuery>;

export const ZTaskListQuery = ZTaskFilterQuery.extend({
  sort: z
    .enum(Object.keys(SORTS) as [keyof typeof SORTS, ...(keyof typeof SORTS)[]])
    .default('-created'),
  limit: ZLimit,
  cursor: z.string().max(500).optional(),
});

export const ZBoardQuery = ZTaskFilterQuery.pick({ assignee: true, label: true, priority: true });
export const ZPageQuery = z.object({ limit: ZLimit, cursor: ZObjectId.optional() });

// Responses ---------------------------------------------------------------------------------------

export const ZTask = component(
  'Task',
  z.strictObject({
    id: ZId,
    projectId: ZId,
    number: z.number().int().describe('Per project, from 1'),
    key: z.string().describe('`<project key>-<number>`, e.g. `WEB-42`'),
    title: z.string(),
    description: z.string(),
    stateId: ZId,
    priority: z.enum(PRIORITIES),
    assigneeIds: z.array(ZId),
    labelIds: z.array(ZId),
    dueDate: ZDateTime.nullable(),
    estimate: z.number().nullable(),
    parentId: ZId.nullable(),
    rank: z.string().describe('Position within its state (lexicographic order)'),
    createdBy: ZId,
    version: z.number().int().describe('Incremented by every write; the ETag is `"<version>"`'),
    createdAt: ZDateTime,
    updatedAt: ZDateTime,
  }),
);
export const ZTaskPage = page('Task', ZTask);
export const ZBoard = component(
  'Board',
  z.strictObject({
    columns: z.array(z.strictObject({ state: ZState, tasks: z.array(ZTask) })),
  }),
);

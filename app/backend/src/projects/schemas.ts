import { z } from 'zod';
import { ZLine } from '../platform/text.ts';
import { ZObjectId } from '../platform/http.ts';
import { component, ZDateTime, ZId } from '../platform/response.ts';

export const ZColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');
export const ZProjectRole = z.enum(['owner', 'admin', 'member', 'viewer']);
export const ZStateCategory = z.enum(['backlog', 'unstarted', 'started', 'completed', 'cancelled']);

export const ZProjectParams = z.object({ project: z.string().min(1).max(40) });
export const ZProjectListQuery = z.object({
  archived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export const ZCreateProjectSchema = z.object({
  key: z
    .string()
    .trim()
    .transform((k) => k.toUpperCase())
    .pipe(
      z
        .string()
        .regex(/^[A-Z][A-Z0-9]{1,9}$/, 'must be 2-10 letters/digits starting with a letter'),
    ),
  name: ZLine(100),
  description: z.string().max(10000).default(''),
});
export const ZUpdateProjectSchema = z
  .object({
    name: ZLine(100),
    description: z.string().max(10000),
    archived: z.boolean(),
  })
  .partial()
  .strict();

export const ZMemberParams = ZProjectParams.extend({ userId: ZObjectId });
export const ZAddMemberSchema = z.object({ userId: ZObjectId, role: ZProjectRole });
export const ZUpdateMemberSchema = z.object({ role: ZProjectRole });

export const ZStateParams = ZProjectParams.extend({ stateId: ZObjectId });
export const ZCreateStateSchema = z.object({
  name: ZLine(50),
  category: ZStateCategory,
  color: ZColor.optional(),
});
export const ZUpdateStateSchema = z
  .object({
    name: ZLine(50),
    category: ZStateCategory,
    color: ZColor,
    position: z.number().int().min(0),
  })
  .partial()
  .strict();
export const ZDeleteStateQuery = z.object({ moveTo: ZObjectId.optional() });

export const ZLabelParams = ZProjectParams.extend({ labelId: ZObjectId });
export const ZCreateLabelSchema = z.object({
  name: ZLine(50),
  color: ZColor.optional(),
});
export const ZUpdateLabelSchema = z
  .object({ name: ZLine(50), color: ZColor })
  .partial()
  .strict();

// Responses ---------------------------------------------------------------------------------------

export const ZProject = component(
  'Project',
  z.strictObject({
    id: ZId,
    key: z.string().describe('Prefix of task keys (`WEB` in `WEB-42`)'),
    name: z.string(),
    description: z.string(),
    archived: z.boolean(),
    role: ZProjectRole.describe("The caller's role in the project"),
    createdAt: ZDateTime,
    updatedAt: ZDateTime,
  }),
);
export const ZMember = component(
  'Member',
  z.strictObject({
    userId: ZId,
    name: z.string().describe('`(deleted)` when the account no longer exists'),
    email: z.string(),
    role: ZProjectRole,
    addedAt: ZDateTime,
  }),
);
export const ZState = component(
  'State',
  z.strictObject({
    id: ZId,
    projectId: ZId,
    name: z.string(),
    category: ZStateCategory,
    color: z.string().describe('#rrggbb'),
    position: z.number().int().describe('Board column order, from 0'),
  }),
);
export const ZLabel = component(
  'Label',
  z.strictObject({ id: ZId, projectId: ZId, name: z.string(), color: z.string() }),
);
export const ZProjectList = z.strictObject({ items: z.array(ZProject) });
export const ZMemberList = z.strictObject({ items: z.array(ZMember) });
export const ZStateList = z.strictObject({ items: z.array(ZState) });
export const ZLabelList = z.strictObject({ items: z.array(ZLabel) });

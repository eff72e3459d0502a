import { z } from 'zod';
import { ZLine } from '../platform/text.ts';
import { ZObjectId } from '../platform/http.ts';

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

// Saved view input. The filters are checked by the task list's own query schema
// (ZTaskFilterQuery, strict), so a view can only hold what GET /tasks accepts; they are stored
// in their query form (lists as arrays of strings, dates as given) so a client can put them
// straight back into a URL.
import { z } from 'zod';
import { ZObjectId, ZQueryList } from '../platform/http.ts';
import { ZLine } from '../platform/text.ts';
import { component, ZDateTime, ZId } from '../platform/response.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import { SORTS } from '../tasks/query.ts';
import { ZTaskFilterQuery } from '../tasks/schemas.ts';
import { LAYOUTS, type TViewFilters } from './model.ts';

const LIST_KEYS = new Set(['state', 'assignee', 'label', 'priority']);

export const ZViewFilters = z
  .record(z.string(), z.unknown())
  .superRefine((raw, ctx) => {
    const r = ZTaskFilterQuery.strict().safeParse(raw);
    if (!r.success)
      for (const issue of r.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  })
  .transform((raw): TViewFilters => {
    const out: TViewFilters = {};
    for (const [k, v] of Object.entries(raw)) {
      if (v === undefined) continue;
      if (LIST_KEYS.has(k)) {
        const list = ZQueryList.parse(v);
        if (list.length) out[k] = [...new Set(list)];
      } else if (typeof v === 'string' && v.trim()) out[k] = v.trim();
    }
    return out;
  });

const ZSort = z.enum(Object.keys(SORTS) as [keyof typeof SORTS, ...(keyof typeof SORTS)[]]);

const fields = {
  name: ZLine(80),
  filters: ZViewFilters,
  sort: ZSort,
  layout: z.enum(LAYOUTS),
  shared: z.boolean(),
};

export const ZCreateViewSchema = z
  .object({
    name: fields.name,
    filters: fields.filters.default({}),
    sort: fields.sort.default('-created'),
    layout: fields.layout.default('list'),
    shared: fields.shared.default(false),
  })
  .strict();
export type TCreateView = z.output<typeof ZCreateViewSchema>;

export const ZUpdateViewSchema = z.object(fields).partial().strict();
export type TUpdateView = z.output<typeof ZUpdateViewSchema>;

export const ZViewParams = ZProjectParams.extend({ viewId: ZObjectId });

// Responses ---------------------------------------------------------------------------------------

export const ZSavedView = component(
  'SavedView',
  z.strictObject({
    id: ZId,
    projectId: ZId,
    ownerId: ZId,
    ownerName: z.string(),
    name: z.string(),
    filters: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]))
      .describe('Task list query parameters (`state`, `assignee`, `label`, `priority` as lists)'),
    sort: ZSort,
    layout: z.enum(LAYOUTS),
    shared: z.boolean(),
    canEdit: z.boolean().describe('Whether the caller may change or delete it'),
    createdAt: ZDateTime,
    updatedAt: ZDateTime,
  }),
);
export const ZSavedViewList = z.strictObject({ items: z.array(ZSavedView) });

import { z } from 'zod';
import { component, ZDateTime, ZId } from '../platform/response.ts';
import { stripUnsafe } from '../platform/text.ts';
import { PRIORITIES } from '../tasks/model.ts';

export const ZSearchQuery = z.object({
  q: z
    .string()
    .transform((s) => stripUnsafe(s).trim())
    .pipe(z.string().min(1, 'must not be empty').max(200)),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(200).optional(),
});

// Responses ---------------------------------------------------------------------------------------

const ZRange = z.strictObject({
  start: z.number().int().describe('UTF-16 offset of the first highlighted character'),
  end: z.number().int().describe('UTF-16 offset after the last one'),
});
const ZHighlighted = { text: z.string(), highlights: z.array(ZRange) };

export const ZSearchResult = component(
  'SearchResult',
  z.strictObject({
    task: z.strictObject({
      id: ZId,
      key: z.string(),
      number: z.number().int(),
      projectId: ZId,
      projectKey: z.string(),
      projectName: z.string(),
      stateId: ZId,
      priority: z.enum(PRIORITIES),
      updatedAt: ZDateTime,
    }),
    matchedIn: z.array(z.enum(['key', 'title', 'description', 'comment'])),
    title: z.strictObject(ZHighlighted),
    snippet: z
      .discriminatedUnion('field', [
        z.strictObject({ field: z.literal('description'), ...ZHighlighted }),
        z.strictObject({
          field: z.literal('comment'),
          commentId: ZId,
          authorName: z.string(),
          ...ZHighlighted,
        }),
      ])
      .nullable()
      .describe('Where the words were found besides the title (null: title or key only)'),
  }),
);
export const ZSearchResults = z.strictObject({
  items: z.array(ZSearchResult),
  nextCursor: z.string().nullable(),
  total: z.number().int().describe('Matching tasks ranked (at most the candidate cap)'),
  capped: z.boolean().describe('More tasks matched than were ranked'),
});

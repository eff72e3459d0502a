import { z } from 'zod';
import { ZObjectId } from '../platform/http.ts';
import { component, ZDateTime, ZId } from '../platform/response.ts';
import { ZProjectParams, ZProjectRole, ZStateCategory } from '../projects/schemas.ts';
import { PRIORITIES } from '../tasks/model.ts';
import { CSV_FIELDS } from './csv-tasks.ts';
import { IMPORT_FORMATS } from './source.ts';

export const ZExportQuery = z.object({
  format: z.enum(['json', 'csv']).default('json'),
  activity: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

const ZMapping = z
  .string()
  .max(4000)
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"title": "Summary", ...}' });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(CSV_FIELDS), z.string().max(200)));

export const ZImportQuery = z.object({
  format: z.enum(['auto', ...IMPORT_FORMATS]).default('auto'),
  /** CSV: field → column header, as JSON; "" unmaps a field the headers matched. */
  mapping: ZMapping.optional(),
  /** Trello: checklist items as subtasks or as a task list in the card's description. */
  checklists: z.enum(['subtasks', 'description']).default('subtasks'),
});

export const ZImportParams = ZProjectParams.extend({ importId: ZObjectId });

// Responses ---------------------------------------------------------------------------------------

const ZCount = z.number().int();
const ZUnmapped = z.strictObject({
  where: z.string().describe('Where in the file: `line 4`, `card "Fix login"`, `header`…'),
  field: z.string().optional(),
  reason: z.string(),
});
export const ZImportPreview = component(
  'ImportPreview',
  z.strictObject({
    importId: ZId,
    status: z.literal('previewed'),
    format: z.enum(IMPORT_FORMATS),
    columns: z.array(z.string()).optional().describe('CSV: the columns of the file'),
    mapping: z.record(z.string(), z.string()).optional().describe('CSV: field → column used'),
    counts: z.strictObject({
      tasks: ZCount,
      subtasks: ZCount,
      comments: ZCount,
      states: ZCount,
      labels: ZCount,
      members: ZCount,
      unmapped: ZCount,
    }),
    create: z
      .strictObject({
        states: z.array(
          z.strictObject({ name: z.string(), category: ZStateCategory, color: z.string() }),
        ),
        labels: z.array(z.strictObject({ name: z.string(), color: z.string() })),
        members: z.array(
          z.strictObject({ email: z.string(), name: z.string(), role: ZProjectRole }),
        ),
      })
      .describe('States, labels and members the import would add'),
    sample: z
      .array(
        z.strictObject({
          where: z.string(),
          title: z.string(),
          state: z.string(),
          priority: z.enum(PRIORITIES),
          labels: z.array(z.string()),
          assignees: ZCount,
          parent: z.string().nullable(),
          comments: ZCount,
        }),
      )
      .describe('The first tasks as they would be created'),
    unmapped: z.array(ZUnmapped).describe('What the import cannot carry over (first ones)'),
    unmappedTotal: ZCount,
    expiresAt: ZDateTime.describe('Apply before this time'),
  }),
);
const ZImportCounts = z.strictObject({
  tasks: ZCount,
  subtasks: ZCount,
  comments: ZCount,
  states: ZCount,
  labels: ZCount,
  members: ZCount,
  firstNumber: ZCount.nullable().describe('Number of the first created task'),
  lastNumber: ZCount.nullable(),
  unmapped: ZCount,
});
export const ZImportResult = component(
  'ImportResult',
  z.strictObject({ importId: ZId, status: z.literal('applied'), result: ZImportCounts }),
);
export const ZImport = component(
  'Import',
  z.strictObject({
    importId: ZId,
    status: z.enum(['previewed', 'applying', 'applied', 'failed']),
    format: z.enum(IMPORT_FORMATS),
    size: z.number().int().describe('Bytes'),
    createdAt: ZDateTime,
    appliedAt: ZDateTime.nullable(),
    result: ZImportCounts.nullable(),
    error: z.string().nullable(),
  }),
);

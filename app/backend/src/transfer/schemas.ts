import { z } from 'zod';
import { ZObjectId } from '../platform/http.ts';
import { ZProjectParams } from '../projects/schemas.ts';
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

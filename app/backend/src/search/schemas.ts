import { z } from 'zod';
import { stripUnsafe } from '../platform/text.ts';

export const ZSearchQuery = z.object({
  q: z
    .string()
    .transform((s) => stripUnsafe(s).trim())
    .pipe(z.string().min(1, 'must not be empty').max(200)),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(200).optional(),
});

import { z } from 'zod';
import { ZObjectId } from '../platform/http.ts';
import { stripUnsafe } from '../platform/text.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import { ALL_EVENTS, WEBHOOK_EVENTS } from './events.ts';
import { urlProblem } from './target.ts';

const ZDescription = z
  .string()
  .max(200)
  .transform((s) => stripUnsafe(s).trim());

const KNOWN: readonly string[] = [ALL_EVENTS, ...WEBHOOK_EVENTS];

export const ZWebhookUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((v, ctx) => {
    const problem = urlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Event types, or `*` for all; duplicates dropped, `*` absorbs the rest. */
export const ZWebhookEvents = z
  .array(
    z.string().refine((e) => KNOWN.includes(e), {
      message: `unknown event type (one of ${KNOWN.join(', ')})`,
    }),
  )
  .min(1, 'subscribe to at least one event type, or * for all')
  .max(KNOWN.length)
  .transform((l) => (l.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(l)]));

export const ZCreateWebhookSchema = z
  .object({
    url: ZWebhookUrl,
    events: ZWebhookEvents.default([ALL_EVENTS]),
    description: ZDescription.default(''),
    active: z.boolean().default(true),
  })
  .strict();
export type TCreateWebhook = z.output<typeof ZCreateWebhookSchema>;

export const ZUpdateWebhookSchema = z
  .object({
    url: ZWebhookUrl,
    events: ZWebhookEvents,
    description: ZDescription,
    /** true re-enables a webhook (also one disabled automatically) and clears its failures. */
    active: z.boolean(),
  })
  .partial()
  .strict();
export type TUpdateWebhook = z.output<typeof ZUpdateWebhookSchema>;

export const ZWebhookParams = ZProjectParams.extend({ webhookId: ZObjectId });

export const ZDeliveryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

import { z } from 'zod';
import { ZObjectId } from '../platform/http.ts';
import { component, ZDateTime, ZId } from '../platform/response.ts';
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

// Responses ---------------------------------------------------------------------------------------

const webhookFields = {
  id: ZId,
  projectId: ZId,
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()).describe('Subscribed event types; `*` is every event'),
  active: z.boolean(),
  consecutiveFailures: z.number().int(),
  disabledReason: z.string().nullable().describe('Why it was switched off automatically'),
  disabledAt: ZDateTime.nullable(),
  lastDeliveryAt: ZDateTime.nullable(),
  lastStatus: z.number().int().nullable().describe('HTTP status of the last attempt'),
  createdAt: ZDateTime,
  secretRotatedAt: ZDateTime.nullable(),
};
export const ZWebhook = component('Webhook', z.strictObject(webhookFields));
/** Create and rotate: the only answers that carry the signing secret. */
export const ZWebhookWithSecret = z.strictObject({
  ...webhookFields,
  secret: z.string().describe('HMAC signing secret, shown only in this response'),
});
export const ZDelivery = component(
  'Delivery',
  z.strictObject({
    id: ZId,
    deliveryId: z.string().describe('Same for every attempt of one delivery'),
    event: z.string(),
    attempt: z.number().int().describe('From 1'),
    final: z.boolean().describe('No further attempt follows'),
    test: z.boolean().describe('A "send test" ping'),
    ok: z.boolean(),
    statusCode: z.number().int().nullable(),
    durationMs: z.number(),
    error: z.string().nullable(),
    at: ZDateTime,
  }),
);
const ZDeliveryState = z.strictObject({
  enabled: z.boolean(),
  message: z.string().nullable().describe('Why deliveries are off'),
});
export const ZWebhookList = z.strictObject({
  items: z.array(ZWebhook),
  eventTypes: z.array(z.string()).describe('Every event type a webhook may subscribe to'),
  delivery: ZDeliveryState,
});
export const ZCreatedWebhook = z.strictObject({
  ...webhookFields,
  secret: z.string().describe('HMAC signing secret, shown only in this response'),
  delivery: ZDeliveryState,
});
export const ZDeliveryList = z.strictObject({ items: z.array(ZDelivery) });

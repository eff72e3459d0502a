// Webhooks and their delivery log. The secret is stored as given (HMAC signing needs it in clear)
// and leaves the API only in the responses of create and rotate; it is never logged.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const webhookSchema = new Schema({
  projectId: { type: Schema.Types.ObjectId, required: true },
  url: { type: String, required: true },
  description: { type: String, default: '' },
  /** Subscribed event types; `['*']` is every event. */
  events: { type: [String], required: true },
  secret: { type: String, required: true },
  /** Switched on or off by hand. The automatic disable is a WebhookAutoDisable record. */
  active: { type: Boolean, default: true },
  // This document is written by people only (create, edit, rotate). What deliveries learn (the
  // failure count, the automatic disable, the last status) lives in insert-only collections:
  // FerretDB v1 applies every update as a read of the whole document and a write of the whole
  // document, so a delivery writing here at the moment of an edit or of the disable could write
  // back the fields it read before them (a webhook switched back on, an edit undone).
  /** Legacy: the automatic-disable reason as versions before WebhookAutoDisable stored it. */
  disabledReason: { type: String, default: null },
  disabledAt: { type: Date, default: null },
  createdBy: { type: Schema.Types.ObjectId, required: true },
  createdAt: { type: Date, default: () => new Date() },
  secretRotatedAt: { type: Date, default: null },
});
webhookSchema.index({ projectId: 1, active: 1 });

export type TWebhookDoc = InferSchemaType<typeof webhookSchema> & { _id: mongoose.Types.ObjectId };
export const Webhook = mongoose.model('Webhook', webhookSchema);

/** One attempt of one delivery. */
const deliverySchema = new Schema({
  webhookId: { type: Schema.Types.ObjectId, required: true },
  projectId: { type: Schema.Types.ObjectId, required: true },
  deliveryId: { type: String, required: true },
  event: { type: String, required: true },
  attempt: { type: Number, required: true },
  /** Whether this was the last attempt BullMQ will make (success, or retries exhausted). */
  final: { type: Boolean, default: false },
  test: { type: Boolean, default: false },
  ok: { type: Boolean, required: true },
  statusCode: { type: Number, default: null },
  durationMs: { type: Number, required: true },
  error: { type: String, default: null },
  at: { type: Date, default: () => new Date() },
});
deliverySchema.index({ webhookId: 1, _id: -1 });

export type TDeliveryDoc = InferSchemaType<typeof deliverySchema> & {
  _id: mongoose.Types.ObjectId;
};
export const WebhookDelivery = mongoose.model('WebhookDelivery', deliverySchema);

/**
 * One failed delivery (every attempt failed) since the webhook's last success or re-enable.
 * Counted by inserting and then counting, not with `$inc`: FerretDB v1 applies `$inc` as a read
 * and a write, so two deliveries failing at the same moment could both write 1. Each insert is
 * atomic and each count runs after its own insert, so the later count sees both.
 */
const failureSchema = new Schema({
  webhookId: { type: Schema.Types.ObjectId, required: true },
  deliveryId: { type: String, required: true },
  at: { type: Date, default: () => new Date() },
});
// A delivery counts once even if BullMQ runs its last attempt again (a stalled job).
failureSchema.index({ webhookId: 1, deliveryId: 1 }, { unique: true });
export const WebhookFailure = mongoose.model('WebhookFailure', failureSchema);

/**
 * The automatic disable: inserted once, when the `disableAfter`-th failed delivery in a row
 * settles (a unique index makes concurrent settles agree on one). Deleted by any change of
 * `active` by hand. The webhook is active when it is on by hand and has no such record.
 */
const autoDisableSchema = new Schema({
  webhookId: { type: Schema.Types.ObjectId, required: true },
  projectId: { type: Schema.Types.ObjectId, required: true },
  reason: { type: String, required: true },
  at: { type: Date, default: () => new Date() },
});
autoDisableSchema.index({ webhookId: 1 }, { unique: true });
autoDisableSchema.index({ projectId: 1 });
export type TAutoDisableDoc = InferSchemaType<typeof autoDisableSchema>;
export const WebhookAutoDisable = mongoose.model('WebhookAutoDisable', autoDisableSchema);

/** What the deliveries say about one webhook, read from the collections above. */
export interface DeliveryState {
  failures: number;
  autoDisable: Pick<TAutoDisableDoc, 'reason' | 'at'> | null;
  last: Pick<TDeliveryDoc, 'at' | 'statusCode'> | null;
}

/** The API view: never the secret. */
export const toWebhook = (w: TWebhookDoc, s: DeliveryState) => ({
  id: String(w._id),
  projectId: String(w.projectId),
  url: w.url,
  description: w.description,
  events: w.events,
  active: w.active && !s.autoDisable,
  consecutiveFailures: s.failures,
  disabledReason: s.autoDisable?.reason ?? (w.active ? null : (w.disabledReason ?? null)),
  disabledAt: s.autoDisable?.at ?? (w.active ? null : (w.disabledAt ?? null)),
  lastDeliveryAt: s.last?.at ?? null,
  lastStatus: s.last?.statusCode ?? null,
  createdAt: w.createdAt,
  secretRotatedAt: w.secretRotatedAt ?? null,
});

export const toDelivery = (d: TDeliveryDoc) => ({
  id: String(d._id),
  deliveryId: d.deliveryId,
  event: d.event,
  attempt: d.attempt,
  final: d.final,
  test: d.test,
  ok: d.ok,
  statusCode: d.statusCode ?? null,
  durationMs: d.durationMs,
  error: d.error ?? null,
  at: d.at,
});

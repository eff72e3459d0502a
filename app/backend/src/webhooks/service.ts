// Webhook rules: management (the target checked against the SSRF policy on every URL change),
// payloads, one signed attempt, the bounded delivery log, and the automatic disable after
// repeated failed deliveries. No Express types here; the queue side lives in listener.ts/job.ts.
import { randomUUID } from 'node:crypto';
import type { ProjectEvent } from '../events/bus.ts';
import { AppError, conflict, isDuplicateKey, notFound } from '../platform/errors.ts';
import type { TConfig } from '../platform/config.ts';
import type { TargetPolicy } from './address.ts';
import { postJson, type AttemptResult } from './deliver.ts';
import { PING_EVENT } from './events.ts';
import {
  toDelivery,
  toWebhook,
  Webhook,
  WebhookAutoDisable,
  WebhookDelivery,
  WebhookFailure,
  type DeliveryState,
  type TDeliveryDoc,
  type TWebhookDoc,
} from './model.ts';
import type { TCreateWebhook, TUpdateWebhook } from './schemas.ts';
import { newSecret, sign } from './signing.ts';
import { policyOf, resolveTarget, TargetRefused } from './target.ts';

export const MAX_WEBHOOKS_PER_PROJECT = 20;

export interface WebhookSettings {
  policy: TargetPolicy;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  disableAfter: number;
  logSize: number;
}

export const settingsOf = (c: TConfig): WebhookSettings => ({
  policy: policyOf(c),
  timeoutMs: c.WEBHOOK_TIMEOUT_MS,
  maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
  backoffMs: c.WEBHOOK_BACKOFF_MS,
  disableAfter: c.WEBHOOK_DISABLE_AFTER_FAILURES,
  logSize: c.WEBHOOK_LOG_SIZE,
});

/** Refuses a target the policy does not allow, as a 400 on `body.url`. */
async function checkTarget(url: string, policy: TargetPolicy): Promise<void> {
  try {
    await resolveTarget(new URL(url), policy);
  } catch (err) {
    if (!(err instanceof TargetRefused)) throw err;
    throw new AppError('validation_error', 'Invalid request', {
      details: [{ path: 'body.url', message: err.message }],
    });
  }
}

async function find(projectId: string, id: string): Promise<TWebhookDoc> {
  const w = await Webhook.findOne({ _id: id, projectId }).lean<TWebhookDoc>();
  if (!w) throw notFound('Webhook');
  return w;
}

/** Reads what the deliveries recorded for one webhook (see the model for why not on it). */
async function deliveryState(webhookId: unknown): Promise<DeliveryState> {
  const [failures, autoDisable, last] = await Promise.all([
    WebhookFailure.countDocuments({ webhookId }),
    WebhookAutoDisable.findOne({ webhookId }).select({ reason: 1, at: 1 }).lean(),
    WebhookDelivery.findOne({ webhookId })
      .sort({ _id: -1 })
      .select({ at: 1, statusCode: 1 })
      .lean<Pick<TDeliveryDoc, 'at' | 'statusCode'>>(),
  ]);
  return { failures, autoDisable, last };
}

const view = async (w: TWebhookDoc) => toWebhook(w, await deliveryState(w._id));

/** Whether a webhook switched on by hand was switched off by its failures. */
export const autoDisabled = async (webhookId: unknown) =>
  (await WebhookAutoDisable.exists({ webhookId })) !== null;

/** The ids of a project's automatically disabled webhooks. */
export async function autoDisabledIn(projectId: unknown): Promise<Set<string>> {
  const rows = await WebhookAutoDisable.find({ projectId }).select({ webhookId: 1 }).lean();
  return new Set(rows.map((r) => String(r.webhookId)));
}

export async function listWebhooks(projectId: string) {
  const items = await Webhook.find({ projectId }).sort({ _id: 1 }).lean<TWebhookDoc[]>();
  return Promise.all(items.map(view));
}

export const getWebhook = async (projectId: string, id: string) => view(await find(projectId, id));

/** Creates a webhook; the secret is returned here and by rotateSecret only. */
export async function createWebhook(
  projectId: string,
  userId: string,
  input: TCreateWebhook,
  policy: TargetPolicy,
) {
  // A bound on fan-out: every event of the project becomes one job per webhook.
  if ((await Webhook.countDocuments({ projectId })) >= MAX_WEBHOOKS_PER_PROJECT)
    throw conflict(`A project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks`);
  await checkTarget(input.url, policy);
  const secret = newSecret();
  const doc = await Webhook.create({ projectId, createdBy: userId, secret, ...input });
  // New: nothing delivered, failed or disabled yet.
  const fresh: DeliveryState = { failures: 0, autoDisable: null, last: null };
  return { ...toWebhook(doc.toObject() as TWebhookDoc, fresh), secret };
}

export async function updateWebhook(
  projectId: string,
  id: string,
  patch: TUpdateWebhook,
  policy: TargetPolicy,
) {
  const before = await find(projectId, id);
  if (patch.url !== undefined && patch.url !== before.url) await checkTarget(patch.url, policy);
  const set: Record<string, unknown> = { ...patch };
  // Any change of `active` by hand clears the automatic-disable state: re-enabling starts
  // counting failures afresh; disabling by hand has no automatic reason.
  if (patch.active !== undefined) Object.assign(set, { disabledReason: null, disabledAt: null });
  const w = await Webhook.findOneAndUpdate({ _id: id, projectId }, { $set: set }, { new: true })
    .lean<TWebhookDoc>()
    .exec();
  if (!w) throw notFound('Webhook');
  if (patch.active !== undefined) {
    await WebhookFailure.deleteMany({ webhookId: w._id });
    await WebhookAutoDisable.deleteMany({ webhookId: w._id });
  }
  return view(w);
}

export async function deleteWebhook(projectId: string, id: string): Promise<void> {
  const r = await Webhook.deleteOne({ _id: id, projectId });
  if (r.deletedCount === 0) throw notFound('Webhook');
  await deleteRecordsOf(id);
}

/** A webhook's delivery log, failures and disable record. */
async function deleteRecordsOf(webhookId: unknown): Promise<void> {
  await WebhookDelivery.deleteMany({ webhookId });
  await WebhookFailure.deleteMany({ webhookId });
  await WebhookAutoDisable.deleteMany({ webhookId });
}

/** Removes every webhook of a deleted project with its records. */
export async function deleteWebhooksOf(projectId: string): Promise<void> {
  const hooks = await Webhook.find({ projectId }).select({ _id: 1 }).lean();
  for (const { _id } of hooks) {
    // Records first (no transactions): a retry after a crash finds the webhook and finishes.
    await deleteRecordsOf(_id);
    await Webhook.deleteOne({ _id });
  }
}

export async function rotateSecret(projectId: string, id: string) {
  const secret = newSecret();
  const w = await Webhook.findOneAndUpdate(
    { _id: id, projectId },
    { $set: { secret, secretRotatedAt: new Date() } },
    { new: true },
  )
    .lean<TWebhookDoc>()
    .exec();
  if (!w) throw notFound('Webhook');
  return { ...(await view(w)), secret };
}

export async function listDeliveries(projectId: string, id: string, limit: number) {
  await find(projectId, id);
  const items = await WebhookDelivery.find({ webhookId: id })
    .sort({ _id: -1 })
    .limit(limit)
    .lean<TDeliveryDoc[]>();
  return items.map(toDelivery);
}

// Payloads and attempts --------------------------------------------------------------------------

export interface ProjectRef {
  id: string;
  key: string;
  name: string;
}

/** The JSON body of an event delivery (documented in API.md). */
export function eventPayload(deliveryId: string, event: ProjectEvent, project: ProjectRef): string {
  return JSON.stringify({
    id: deliveryId,
    event: event.type,
    occurredAt: event.at,
    project,
    actor: { id: event.actorId, name: event.actorName },
    data: { eventId: event.id, taskId: event.taskId, changes: event.changes },
  });
}

export function pingPayload(
  deliveryId: string,
  w: TWebhookDoc,
  project: ProjectRef,
  actor: { id: string; name: string },
): string {
  return JSON.stringify({
    id: deliveryId,
    event: PING_EVENT,
    occurredAt: new Date().toISOString(),
    project,
    actor,
    data: { webhookId: String(w._id), url: w.url, events: w.events },
  });
}

export interface Attempt {
  deliveryId: string;
  event: string;
  body: string;
  attempt: number;
}

/** Signs and sends one attempt with the webhook's current secret and the current time. */
export function sendAttempt(
  w: TWebhookDoc,
  a: Attempt,
  settings: Pick<WebhookSettings, 'policy' | 'timeoutMs'>,
): Promise<AttemptResult> {
  const timestamp = Math.floor(Date.now() / 1000);
  return postJson(
    w.url,
    {
      'content-type': 'application/json',
      'user-agent': 'PMS-Webhooks/1.0',
      'x-pms-event': a.event,
      'x-pms-delivery': a.deliveryId,
      'x-pms-timestamp': String(timestamp),
      'x-pms-attempt': String(a.attempt),
      'x-pms-signature': sign(w.secret, timestamp, a.body),
    },
    a.body,
    settings,
  );
}

/** Stores one attempt in the log, keeping the newest `logSize` per webhook. */
export async function logAttempt(
  w: TWebhookDoc,
  a: Attempt,
  r: AttemptResult,
  opts: { final: boolean; test: boolean; logSize: number },
) {
  const doc = await WebhookDelivery.create({
    webhookId: w._id,
    projectId: w.projectId,
    deliveryId: a.deliveryId,
    event: a.event,
    attempt: a.attempt,
    final: opts.final,
    test: opts.test,
    ok: r.ok,
    statusCode: r.statusCode,
    durationMs: r.durationMs,
    error: r.error,
  });
  const oldestKept = await WebhookDelivery.find({ webhookId: w._id })
    .sort({ _id: -1 })
    .skip(opts.logSize)
    .limit(1)
    .select({ _id: 1 })
    .lean();
  if (oldestKept[0])
    await WebhookDelivery.deleteMany({ webhookId: w._id, _id: { $lte: oldestKept[0]._id } });
  return toDelivery(doc.toObject() as TDeliveryDoc);
}

/**
 * Counts the end of a delivery: a success clears the failures; a failed delivery (every attempt
 * failed) adds one, and the `disableAfter`-th in a row switches the webhook off with the reason
 * shown in the settings page. Nothing here writes the webhook document (see the model): the
 * count is inserted and counted (WebhookFailure), the disable inserted once (WebhookAutoDisable).
 */
export async function settleDelivery(
  w: TWebhookDoc,
  deliveryId: string,
  r: AttemptResult,
  disableAfter: number,
): Promise<void> {
  if (r.ok) {
    await WebhookFailure.deleteMany({ webhookId: w._id });
    return;
  }
  try {
    await WebhookFailure.create({ webhookId: w._id, deliveryId });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // already counted
  }
  const n = await WebhookFailure.countDocuments({ webhookId: w._id });
  if (n < disableAfter) return;
  try {
    await WebhookAutoDisable.create({
      webhookId: w._id,
      projectId: w.projectId,
      reason: `Disabled automatically after ${n} consecutive failed deliveries (last error: ${r.error ?? 'unknown'})`,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // a concurrent settle disabled it first
  }
}

/**
 * "Send test": one `ping` attempt now, from the API process (no queue, so it works and answers
 * at once even when the worker or the queue is off, and also for a disabled webhook). Logged
 * with `test: true`; it does not count towards the automatic disable.
 */
export async function sendTest(
  projectId: string,
  id: string,
  project: ProjectRef,
  actor: { id: string; name: string },
  settings: WebhookSettings,
) {
  const w = await find(projectId, id);
  const deliveryId = randomUUID();
  const a: Attempt = {
    deliveryId,
    event: PING_EVENT,
    body: pingPayload(deliveryId, w, project, actor),
    attempt: 1,
  };
  const r = await sendAttempt(w, a, settings);
  return logAttempt(w, a, r, { final: true, test: true, logSize: settings.logSize });
}

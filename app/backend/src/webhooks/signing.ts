// Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret, sent as
// `X-PMS-Signature: sha256=<hex>` next to `X-PMS-Timestamp: <unix seconds>`. Signing the
// timestamp lets receivers refuse replays of old deliveries (see API.md for the receiver side).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-pms-signature';
export const TIMESTAMP_HEADER = 'x-pms-timestamp';
export const EVENT_HEADER = 'x-pms-event';
export const DELIVERY_HEADER = 'x-pms-delivery';

/** A new secret: 32 random bytes, prefixed so that it is recognisable in a secret scanner. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The receiver's check (used by the tests as a receiver would): the signature matches and the
 * timestamp is within `toleranceSeconds` of `now` (seconds).
 */
export function verify(
  secret: string,
  header: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  now: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(header.timestamp);
  if (!header.signature || !Number.isInteger(ts)) return false;
  if (Math.abs(now - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, ts, body));
  const given = Buffer.from(header.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { squareSdk } from './sdk.ts';
import type { SquareConnection } from '../accounts.ts';
import type { PushChannel, PushSecret, PushVerdict, WebhookDelivery } from '../contract.ts';
import { PosBadResponseError } from '../errors.ts';

/**
 * Square's `inventory.count.updated` webhooks (POS-APIS §1.8). A delivery is genuine when
 * `x-square-hmacsha256-signature` is base64(HMAC-SHA256(signature key, notification URL exactly
 * as registered + raw body)). The SDK's WebhooksHelper computes the same value but compares it
 * with `===`; here the comparison is constant-time (digests of both sides through timingSafeEqual).
 */
export const SIGNATURE_HEADER = 'x-square-hmacsha256-signature';
export const INVENTORY_EVENT = 'inventory.count.updated';
/** Square retries a delivery for 72 h: anything older is a replay, refused as stale. */
export const MAX_EVENT_AGE_MS = 73 * 60 * 60 * 1000;
/** An event dated further ahead than this is refused too (a clock that far off is not Square's). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export function squareSignature(signatureKey: string, notificationUrl: string, body: Buffer): string {
  return createHmac('sha256', signatureKey).update(notificationUrl, 'utf8').update(body).digest('base64');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function header(delivery: WebhookDelivery, name: string): string | undefined {
  const value = delivery.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the signature first, then reads: nothing in an unproven body is looked at. */
export function readSquareDelivery(delivery: WebhookDelivery, secret: PushSecret, locationIds: readonly string[], now: Date): PushVerdict {
  const given = header(delivery, SIGNATURE_HEADER);
  if (!given) return { ok: false, status: 401, reason: `no ${SIGNATURE_HEADER} header` };
  if (!secret.signatureKey) return { ok: false, status: 403, reason: 'no signature key is set up for this account' };
  const expected = squareSignature(secret.signatureKey, secret.notificationUrl, delivery.body);
  if (!timingSafeEqual(digest(given), digest(expected))) return { ok: false, status: 403, reason: 'signature does not match' };

  let body: unknown;
  try {
    body = JSON.parse(delivery.body.toString('utf8'));
  } catch {
    return { ok: false, status: 400, reason: 'body is not JSON' };
  }
  if (!isRecord(body) || typeof body.event_id !== 'string' || body.event_id === '' || typeof body.type !== 'string') {
    return { ok: false, status: 400, reason: 'body has no event_id or type' };
  }
  const createdAt = typeof body.created_at === 'string' ? new Date(body.created_at) : null;
  if (!createdAt || Number.isNaN(createdAt.getTime())) return { ok: false, status: 400, reason: 'created_at is missing or not a time' };
  const age = now.getTime() - createdAt.getTime();
  if (age > MAX_EVENT_AGE_MS || age < -MAX_CLOCK_SKEW_MS) return { ok: false, status: 403, reason: `stale event (created ${createdAt.toISOString()})` };
  if (body.type !== INVENTORY_EVENT) return { ok: true, event: null };

  const data = isRecord(body.data) ? body.data : undefined;
  const object = data && isRecord(data.object) ? data.object : undefined;
  const counts = object?.inventory_counts;
  if (!Array.isArray(counts)) return { ok: false, status: 400, reason: 'data.object.inventory_counts is not a list' };
  // On hand is the IN_STOCK count at the account's locations; a move also reports the other
  // state (SOLD, WASTE…), which changes nothing we sell.
  const ids = new Set<string>();
  for (const count of counts) {
    if (!isRecord(count) || typeof count.catalog_object_id !== 'string') continue;
    if (count.state !== 'IN_STOCK' || typeof count.location_id !== 'string' || !locationIds.includes(count.location_id)) continue;
    ids.add(count.catalog_object_id);
  }
  if (ids.size === 0) return { ok: true, event: null };
  return { ok: true, event: { eventId: body.event_id, createdAt, posItemIds: [...ids].sort() } };
}

export function createSquarePush(connection: SquareConnection, fetcher?: typeof fetch): PushChannel {
  const client = async () =>
    new (await squareSdk()).SquareClient({
      token: connection.accessToken,
      baseUrl: connection.baseUrl,
      maxRetries: 2,
      logging: { level: 'error', silent: true },
      ...(fetcher ? { fetch: fetcher } : {}),
    });
  const options = connection.squareVersion ? { headers: { 'Square-Version': connection.squareVersion } } : {};
  const locationIds = [...new Set(connection.locationIds)];
  return {
    proof: 'signature',
    async register(notificationUrl) {
      const answer = await (await client()).webhooks.subscriptions.create(
        { idempotencyKey: randomUUID(), subscription: { name: 'possync stock', eventTypes: [INVENTORY_EVENT], notificationUrl } },
        options,
      );
      const id = answer.subscription?.id;
      const signatureKey = answer.subscription?.signatureKey;
      if (!id || !signatureKey) throw new PosBadResponseError('square CreateWebhookSubscription: answer has no subscription id or signature key');
      return { signatureKey, references: [id] };
    },
    async unregister(references) {
      const api = await client();
      const { SquareError } = await squareSdk();
      for (const subscriptionId of references) {
        try {
          await api.webhooks.subscriptions.delete({ subscriptionId }, options);
        } catch (error) {
          if (!(error instanceof SquareError && error.statusCode === 404)) throw error;
        }
      }
    },
    read: (delivery, secret, now) => readSquareDelivery(delivery, secret, locationIds, now),
    manualSteps: (notificationUrl) => [
      'In the Square Developer Dashboard, open your application → Webhooks → Subscriptions → Add subscription:',
      `  URL: ${notificationUrl}`,
      `  Events: ${INVENTORY_EVENT}`,
      "Then copy the subscription's signature key into this account's WebhookSignatureKey (or",
      `POSSYNC__PosAccess__PosConfigurations__<n>__WebhookSignatureKey) and its URL into WebhookUrl if it differs.`,
    ],
  };
}

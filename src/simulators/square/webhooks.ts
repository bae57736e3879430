import { createHmac } from 'node:crypto';
import type { SimulatorKit } from '../kit/server.ts';
import type { CountRow } from './inventory.ts';
import { randomId, randomUuid } from './ids.ts';

/**
 * Webhook subscriptions and `inventory.count.updated` notifications. Each notification carries at
 * most 100 counts and is signed like Square: base64(HMAC-SHA256(signature_key, url + raw body)).
 */
export const INVENTORY_EVENT = 'inventory.count.updated';
export const MAX_COUNTS_PER_EVENT = 100;

export interface Subscription {
  id: string;
  name?: string;
  enabled: boolean;
  event_types: string[];
  notification_url: string;
  api_version: string;
  signature_key: string;
  created_at: string;
  updated_at: string;
}

export function signPayload(signatureKey: string, notificationUrl: string, body: string): string {
  return createHmac('sha256', signatureKey).update(notificationUrl + body).digest('base64');
}

export class SquareWebhooks {
  private subscriptions = new Map<string, Subscription>();
  /** CreateWebhookSubscription idempotency: key → the subscription made the first time. */
  readonly createdByKey = new Map<string, string>();

  constructor(
    private readonly kit: SimulatorKit,
    private readonly merchantId: string,
    private readonly countJson: (row: CountRow) => Record<string, unknown>,
  ) {}

  list(): Subscription[] {
    return [...this.subscriptions.values()];
  }

  get(id: string): Subscription | undefined {
    return this.subscriptions.get(id);
  }

  create(input: { notificationUrl: string; eventTypes?: string[]; name?: string; enabled?: boolean; apiVersion: string; signatureKey?: string }): Subscription {
    const now = new Date(this.kit.clock.now()).toISOString();
    const subscription: Subscription = {
      id: `wbhk_${randomId(this.kit.random, 24).toLowerCase()}`,
      ...(input.name === undefined ? {} : { name: input.name }),
      enabled: input.enabled ?? true,
      event_types: input.eventTypes ?? [INVENTORY_EVENT],
      notification_url: input.notificationUrl,
      api_version: input.apiVersion,
      signature_key: input.signatureKey ?? randomId(this.kit.random, 22).toLowerCase(),
      created_at: now,
      updated_at: now,
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  delete(id: string): boolean {
    return this.subscriptions.delete(id);
  }

  clear(): void {
    this.subscriptions.clear();
    this.createdByKey.clear();
  }

  /** One notification per 100 moved counts, per enabled subscription to inventory.count.updated. */
  emit(rows: CountRow[]): void {
    const targets = this.list().filter((s) => s.enabled && s.event_types.includes(INVENTORY_EVENT));
    if (targets.length === 0 || rows.length === 0) return;
    for (let i = 0; i < rows.length; i += MAX_COUNTS_PER_EVENT) {
      const counts = rows.slice(i, i + MAX_COUNTS_PER_EVENT).map(this.countJson);
      for (const subscription of targets) {
        // Each subscription gets its own event id, as Square delivers per subscription.
        const eventId = randomUuid(this.kit.random);
        const body = JSON.stringify({
          merchant_id: this.merchantId,
          type: INVENTORY_EVENT,
          event_id: eventId,
          created_at: new Date(this.kit.clock.now()).toISOString(),
          data: { type: 'inventory_counts', id: randomUuid(this.kit.random), object: { inventory_counts: counts } },
        });
        this.kit.webhooks.send({
          url: subscription.notification_url,
          eventId,
          contentType: 'application/json',
          body,
          headers: {
            'x-square-hmacsha256-signature': signPayload(subscription.signature_key, subscription.notification_url, body),
            'square-environment': 'Sandbox',
            'user-agent': 'Square Connect v2 (simulator)',
          },
        });
      }
    }
  }
}

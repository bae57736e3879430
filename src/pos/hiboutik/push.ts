import { createHash } from 'node:crypto';
import qs from 'qs';
import type { HiboutikConnection } from '../accounts.ts';
import type { PushChannel, PushVerdict, WebhookDelivery } from '../contract.ts';
import { PosBadResponseError, PosError } from '../errors.ts';
import type { HiboutikClient } from './client.ts';
import { formatItemId, readId } from './ids.ts';

/**
 * Hiboutik's webhooks (POS-APIS §3.8): form-encoded POSTs in PHP bracket notation, unsigned. The
 * URL carries a secret token possync generates (checked by the engine before `read`). Actions
 * possync registers: `sale` (a closed sale: its lines name the products to re-read),
 * `stock_order` (a received order or validated count: names only its id) and `product`.
 */
export const ACTIONS = ['sale', 'stock_order', 'product'] as const;

type Form = Record<string, unknown>;

function lineItems(form: Form): unknown[] {
  const lines = form.line_items;
  if (Array.isArray(lines)) return lines;
  // qs turns sparse or > arrayLimit indices into an object keyed by index.
  return lines && typeof lines === 'object' ? Object.values(lines) : [];
}

export function readHiboutikDelivery(delivery: WebhookDelivery, storeId: string): PushVerdict {
  const type = delivery.contentType.split(';')[0]!.trim().toLowerCase();
  let form: Form;
  if (type === 'application/x-www-form-urlencoded') {
    form = qs.parse(delivery.body.toString('utf8'), { depth: 5, arrayLimit: 1000, parameterLimit: 5000 }) as Form;
  } else if (type === 'application/json') {
    try {
      form = JSON.parse(delivery.body.toString('utf8')) as Form;
    } catch {
      return { ok: false, status: 400, reason: 'body is not JSON' };
    }
    if (typeof form !== 'object' || form === null) return { ok: false, status: 400, reason: 'body is not an object' };
  } else {
    return { ok: false, status: 400, reason: `unexpected content type ${type || '(none)'}` };
  }

  const saleId = readId(form.sale_id);
  if (saleId !== null && form.line_items !== undefined) {
    // A sale of another store of the same Hiboutik account moves another warehouse's stock.
    const store = readId(form.store_id);
    if (store !== null && String(store) !== storeId) return { ok: true, event: null };
    const ids = new Set<string>();
    for (const line of lineItems(form)) {
      if (typeof line !== 'object' || line === null) continue;
      const product = readId((line as Form).product_id);
      // product_id 0 is a free-text line: no stock.
      if (product === null || product === 0) continue;
      ids.add(formatItemId(product, readId((line as Form).product_size) ?? 0));
    }
    if (ids.size === 0) return { ok: true, event: null };
    return { ok: true, event: { eventId: `sale-${saleId}`, posItemIds: [...ids].sort() } };
  }
  const inputId = readId(form.inventory_input_id);
  if (inputId !== null) return { ok: true, event: { eventId: `stock_order-${inputId}`, posItemIds: null } };
  const productId = readId(form.product_id);
  if (productId !== null) {
    // A product form can be saved many times: each distinct body is its own event.
    const hash = createHash('sha256').update(delivery.body).digest('hex').slice(0, 16);
    return { ok: true, event: { eventId: `product-${productId}-${hash}`, posItemIds: null } };
  }
  return { ok: true, event: null };
}

export function createHiboutikPush(connection: HiboutikConnection, client: HiboutikClient): PushChannel {
  return {
    proof: 'url-token',
    async register(notificationUrl) {
      const references: string[] = [];
      for (const action of ACTIONS) {
        const answer = await client.write<{ webhook_id?: unknown }>(
          'POST',
          'webhooks',
          // Async: Hiboutik does not hold the till's answer while possync replies.
          { webhook_label: `possync ${action}`, webhook_url: notificationUrl, webhook_action: action, webhook_app_id_int: 'possync', webhook_async: 1 },
          { idempotent: false, label: 'POST /webhooks' },
        );
        const id = readId(answer?.webhook_id);
        if (id === null) throw new PosBadResponseError('Hiboutik POST /webhooks: answer has no webhook_id');
        references.push(String(id));
      }
      return { references };
    },
    async unregister(references) {
      for (const id of references) {
        try {
          await client.write('DELETE', `webhooks/${encodeURIComponent(id)}`, {}, { idempotent: true, label: 'DELETE /webhooks/{id}' });
        } catch (error) {
          if (!(error instanceof PosError && error.status === 404)) throw error;
        }
      }
    },
    read: (delivery) => readHiboutikDelivery(delivery, connection.storeId),
    manualSteps: (notificationUrl) => [
      'In Hiboutik: Settings → API → Webhooks (callbacks), add one webhook per action, each with this URL:',
      `  URL: ${notificationUrl}`,
      `  Actions: ${ACTIONS.join(', ')} (asynchronous if offered)`,
      'The URL holds a secret: keep it out of tickets and screenshots.',
    ],
  };
}

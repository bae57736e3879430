import qs from 'qs';
import type { WebhookSender } from '../kit/webhooks.ts';
import type { HiboutikStore } from './store.ts';
import type { InventoryInputRecord, SaleRecord } from './types.ts';
import { saleView } from './views.ts';

/**
 * Webhook deliveries: form-encoded POSTs of the record flattened in PHP bracket notation
 * (`line_items[0][product_id]=...`), sent to the registered URL exactly as registered, so a
 * `?k=secret` query string reaches the receiver unchanged. Hiboutik signs nothing.
 */
export function createNotifier(store: HiboutikStore, sender: WebhookSender) {
  const emit = (action: string, eventKey: string, payload: Record<string, unknown>) => {
    const body = qs.stringify(payload, { arrayFormat: 'indices' });
    for (const hook of store.webhooks.values()) {
      if (hook.action !== action) continue;
      sender.send({ url: hook.url, eventId: `${eventKey}/webhook-${hook.id}`, contentType: 'application/x-www-form-urlencoded', body });
    }
  };
  return {
    /**
     * Hiboutik waits for a synchronous webhook's answer before answering the call that fired it
     * (webhook_async=0, the default). We approximate that by waiting, at most `capMs`, until the
     * sender has nothing in flight; async-only hooks never hold the answer.
     */
    async settle(action: string, capMs = 5000): Promise<void> {
      if (![...store.webhooks.values()].some((h) => h.action === action && h.async === 0)) return;
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, capMs);
        timer.unref();
      });
      await Promise.race([sender.idle(), cap]);
      clearTimeout(timer);
    },
    saleClosed(sale: SaleRecord) {
      emit('sale', `sale-${sale.id}`, saleView(store, sale));
    },
    stockOrderValidated(input: InventoryInputRecord) {
      emit('stock_order', `stock_order-${input.id}`, { inventory_input_id: input.id });
    },
  };
}

/** Reads a form body with PHP bracket arrays (`a[0][b]=1` → `{a: [{b: '1'}]}`). */
export function parseForm(text: string): Record<string, unknown> {
  return qs.parse(text, { depth: 10, arrayLimit: 1000, parameterLimit: 10000 }) as Record<string, unknown>;
}

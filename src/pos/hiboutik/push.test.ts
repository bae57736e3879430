import { test } from 'node:test';
import assert from 'node:assert/strict';
import qs from 'qs';
import { readHiboutikDelivery } from './push.ts';

const form = (payload: Record<string, unknown>) => ({
  body: Buffer.from(qs.stringify(payload, { arrayFormat: 'indices' })),
  contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
  headers: {},
});

test('a closed sale names its products and sizes; free-text lines and other stores are left out', () => {
  const sale = { sale_id: 12, store_id: 1, line_items: [{ product_id: 4, product_size: 0, quantity: 1 }, { product_id: 7, product_size: 2 }, { product_id: 0 }] };
  assert.deepEqual(readHiboutikDelivery(form(sale), '1'), { ok: true, event: { eventId: 'sale-12', posItemIds: ['4', '7:2'] } });
  assert.deepEqual(readHiboutikDelivery(form({ ...sale, store_id: 2 }), '1'), { ok: true, event: null });
});

test('stock orders and product edits name no item (every mapped item is re-read); product edits differ by body', () => {
  assert.deepEqual(readHiboutikDelivery(form({ inventory_input_id: 501 }), '1'), { ok: true, event: { eventId: 'stock_order-501', posItemIds: null } });
  const a = readHiboutikDelivery(form({ product_id: 9, product_model: 'Mug' }), '1');
  const b = readHiboutikDelivery(form({ product_id: 9, product_model: 'Big mug' }), '1');
  assert.ok(a.ok && b.ok && a.event && b.event && a.event.eventId !== b.event.eventId && a.event.eventId.startsWith('product-9-'));
  assert.deepEqual(readHiboutikDelivery(form({ customer_id: 3 }), '1'), { ok: true, event: null });
  assert.equal(readHiboutikDelivery({ body: Buffer.from('x'), contentType: 'text/plain', headers: {} }, '1').ok, false);
});

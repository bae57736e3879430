import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm } from './notify.ts';
import { admin, call, flatSeed, startReceiver, startSim } from '../../../test/support/hiboutik-simulator.ts';

test('webhook registry: POST → {webhook_id}, GET lists, DELETE removes; bad input is 422', async (t) => {
  const sim = await startSim({ seed: flatSeed(1) });
  t.after(() => sim.close());
  const created = await call(sim, 'POST', '/api/webhooks', {
    form: 'webhook_label=possync&webhook_url=https%3A%2F%2Fshop.test%2Fhook%3Fk%3Dabc&webhook_action=sale&webhook_app_id_int=POSSYNC&webhook_async=1',
  });
  assert.equal(created.status, 200);
  assert.deepEqual(created.body, { webhook_id: 1 });
  assert.deepEqual((await call(sim, 'GET', '/api/webhooks/')).body, [
    { webhook_id: 1, webhook_label: 'possync', webhook_url: 'https://shop.test/hook?k=abc', webhook_action: 'sale', webhook_app_id_int: 'POSSYNC', webhook_async: 1 },
  ]);
  assert.equal((await call(sim, 'POST', '/api/webhooks', { json: { webhook_url: 'ftp://x', webhook_action: 'sale' } })).status, 422);
  assert.equal((await call(sim, 'POST', '/api/webhooks', { json: { webhook_url: 'http://x.test/', webhook_action: 'explode' } })).status, 422);
  assert.deepEqual((await call(sim, 'DELETE', '/api/webhooks/1')).body, { webhook_id: 1 });
  assert.equal((await call(sim, 'DELETE', '/api/webhooks/1')).status, 404);
  assert.deepEqual((await call(sim, 'GET', '/api/webhooks')).body, []);
});

test('sale webhook: API close posts the flattened sale form-encoded to the URL with its ?k= secret', async (t) => {
  const sim = await startSim({ seed: flatSeed(2) });
  const receiver = await startReceiver();
  t.after(async () => {
    await sim.close();
    await receiver.close();
  });
  const secret = sim.credentials().webhookSecret;
  await call(sim, 'POST', '/api/webhooks', { json: { webhook_label: 'sales', webhook_url: `${receiver.url}/hiboutik/sale?k=${secret}`, webhook_action: 'sale', webhook_app_id_int: 'POSSYNC' } });
  await call(sim, 'POST', '/api/webhooks', { json: { webhook_label: 'orders', webhook_url: `${receiver.url}/hiboutik/stock`, webhook_action: 'stock_order', webhook_app_id_int: 'POSSYNC' } });

  const saleId = (await call(sim, 'POST', '/api/sales/', { json: { store_id: 1 } })).body.sale_id as number;
  await call(sim, 'PUT', `/api/sale/${saleId}`, { json: { sale_attribute: 'ext_ref', new_value: 'web-9' } });
  await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 2, quantity: 2, stock_withdrawal: 1 } });
  await sim.kit.webhooks.idle();
  assert.equal(receiver.seen.length, 0, 'nothing before close');
  await call(sim, 'POST', '/api/sales/close/', { json: { sale_id: saleId } });
  await sim.kit.webhooks.idle();

  assert.equal(receiver.seen.length, 1);
  const [delivery] = receiver.seen;
  assert.equal(delivery!.url, `/hiboutik/sale?k=${secret}`);
  assert.equal(delivery!.contentType, 'application/x-www-form-urlencoded');
  const params = new URLSearchParams(delivery!.body);
  assert.equal(params.get('sale_id'), String(saleId));
  assert.equal(params.get('sale_ext_ref'), 'web-9');
  assert.equal(params.get('store_id'), '1');
  assert.equal(params.get('line_items[0][product_id]'), '2');
  assert.equal(params.get('line_items[0][product_size]'), '0');
  assert.equal(params.get('line_items[0][quantity]'), '2');
  assert.equal(params.get('line_items[0][product_barcode]'), 'BC000002');
  assert.equal(params.get('completed_at'), '2026-11-02 09:00:00');
  const parsed = parseForm(delivery!.body) as { line_items: Array<Record<string, string>> };
  assert.equal(parsed.line_items[0]!.product_model, 'Product 2');
  assert.deepEqual(sim.kit.webhooks.log().map((a) => [a.eventId, a.status]), [[`sale-${saleId}/webhook-1`, 200]]);
});

test('in-store sale (admin delta < 0): a full sale, the sale webhook fires, ledger source in_store', async (t) => {
  const sim = await startSim({ seed: flatSeed(2) });
  const receiver = await startReceiver();
  t.after(async () => {
    await sim.close();
    await receiver.close();
  });
  await call(sim, 'POST', '/api/webhooks', { json: { webhook_url: `${receiver.url}/s?k=x`, webhook_action: 'sale', webhook_app_id_int: 'P' } });
  const answer = await admin(sim, 'POST', '/stock', { item: '1', location: '2', delta: -3 });
  assert.deepEqual(answer.body, { item: '1', location: '2', quantity: 1 });
  await sim.kit.webhooks.idle();
  const params = new URLSearchParams(receiver.seen[0]!.body);
  assert.equal(params.get('store_id'), '2');
  assert.equal(params.get('line_items[0][quantity]'), '3');
  const [entry] = sim.kit.ledger.list();
  assert.deepEqual({ ...entry, seq: undefined, at: undefined }, { seq: undefined, at: undefined, source: 'in_store', kind: 'sale', item: '1', location: '2', quantity: -3, posId: params.get('sale_id')! });
  const sale = (await call(sim, 'GET', `/api/sales/${params.get('sale_id')}`)).body[0];
  assert.notEqual(sale.completed_at, '0000-00-00 00:00:00');
});

test('stock orders over the API: create, details, validate → stock moves, stock_order webhook, ledger', async (t) => {
  const sim = await startSim({ seed: flatSeed(3) });
  const receiver = await startReceiver();
  t.after(async () => {
    await sim.close();
    await receiver.close();
  });
  await call(sim, 'POST', '/api/webhooks', { json: { webhook_url: `${receiver.url}/orders?k=s3`, webhook_action: 'stock_order', webhook_app_id_int: 'P' } });

  const created = await call(sim, 'POST', '/api/inventory_inputs', { form: 'stock_id=2' });
  assert.equal(created.status, 201);
  const inputId = created.body.inventory_input_id as number;
  const detail = await call(sim, 'POST', `/api/inventory_input_details/${inputId}`, { form: 'product_id=1&product_size=0&quantity=6' });
  assert.equal(detail.status, 201);
  assert.equal(typeof detail.body.inventory_input_detail_id, 'number');
  assert.equal((await call(sim, 'POST', `/api/inventory_input_details/${inputId}/`, { json: { product_id: 3, product_size: 0, quantity: -1 } })).status, 201, 'signed differences are accepted');
  assert.equal((await call(sim, 'POST', `/api/inventory_input_details/${inputId}`, { json: { product_id: 42, quantity: 1 } })).status, 422);
  const before = (await call(sim, 'GET', '/api/stock_available/warehouse_id/2')).body.map((r: { stock_available: number }) => r.stock_available);
  assert.deepEqual(before, [4, 4, 4], 'nothing moves before validation');

  const validated = await call(sim, 'POST', '/api/inventory_input_validate', { json: { inventory_input_id: inputId } });
  assert.equal(validated.status, 200);
  const after = (await call(sim, 'GET', '/api/stock_available/warehouse_id/2')).body.map((r: { stock_available: number }) => r.stock_available);
  assert.deepEqual(after, [10, 4, 3]);
  assert.equal((await call(sim, 'POST', '/api/inventory_input_validate/', { json: { inventory_input_id: inputId } })).status, 422, 'only once');

  const readBack = await call(sim, 'GET', `/api/inventory_inputs/${inputId}`);
  assert.equal(readBack.body[0].validated, 1);
  assert.equal(readBack.body[0].stock_id, 2);
  assert.deepEqual((await call(sim, 'GET', `/api/inventory_input_details/${inputId}`)).body.map((d: { product_id: number; quantity: number }) => [d.product_id, d.quantity]), [[1, 6], [3, -1]]);

  await sim.kit.webhooks.idle();
  assert.equal(receiver.seen.length, 1);
  assert.equal(receiver.seen[0]!.url, '/orders?k=s3');
  assert.equal(receiver.seen[0]!.body, `inventory_input_id=${inputId}`);
  assert.deepEqual(
    sim.kit.ledger.list().map(({ seq, at, ...rest }) => rest),
    [
      { source: 'api', kind: 'stock_order', item: '1', location: '2', quantity: 6, posId: String(inputId), endpoint: 'POST /api/inventory_input_validate' },
      { source: 'api', kind: 'stock_order', item: '3', location: '2', quantity: -1, posId: String(inputId), endpoint: 'POST /api/inventory_input_validate' },
    ],
  );

  const strict = await startSim({ seed: flatSeed(1), switches: { negativeStockOrders: 'reject' } });
  t.after(() => strict.close());
  const id = (await call(strict, 'POST', '/api/inventory_inputs', { json: { stock_id: 1 } })).body.inventory_input_id as number;
  assert.equal((await call(strict, 'POST', `/api/inventory_input_details/${id}`, { json: { product_id: 1, quantity: -2 } })).status, 422);
});

test('in-store restock and count: stock_order webhooks, ledger in_store stock_order / stock_set', async (t) => {
  const sim = await startSim({ seed: { ...flatSeed(2), items: [...flatSeed(2).items.slice(0, 1), { ...flatSeed(2).items[1]!, stock: { '1': 3 } }] } });
  const receiver = await startReceiver();
  t.after(async () => {
    await sim.close();
    await receiver.close();
  });
  await call(sim, 'POST', '/api/webhooks', { json: { webhook_url: `${receiver.url}/o`, webhook_action: 'stock_order', webhook_app_id_int: 'P' } });
  assert.deepEqual((await admin(sim, 'POST', '/stock', { item: '1', location: '1', delta: 5 })).body, { item: '1', location: '1', quantity: 15 });
  assert.deepEqual((await admin(sim, 'POST', '/stock', { item: '1', location: '1', quantity: 2 })).body, { item: '1', location: '1', quantity: 2 });
  // Product 2 was never counted in warehouse 2: no row until a count creates one.
  assert.deepEqual((await call(sim, 'GET', '/api/stock_available/product_id/2')).body.map((r: { warehouse_id: number }) => r.warehouse_id), [1]);
  assert.deepEqual((await admin(sim, 'GET', '/stock?item=2')).body, { stock: [{ item: '2', locations: { '1': 3, '2': null } }] });
  await admin(sim, 'POST', '/stock', { item: '2', location: '2', quantity: 0 });
  assert.deepEqual((await call(sim, 'GET', '/api/stock_available/product_id/2')).body.map((r: { warehouse_id: number; stock_available: number }) => [r.warehouse_id, r.stock_available]), [[1, 3], [2, 0]]);
  assert.equal((await admin(sim, 'POST', '/stock', { item: '9', delta: 1 })).status, 404);

  await sim.kit.webhooks.idle();
  assert.equal(receiver.seen.length, 3);
  assert.deepEqual(
    sim.kit.ledger.list().map(({ seq, at, posId, ...rest }) => rest),
    [
      { source: 'in_store', kind: 'stock_order', item: '1', location: '1', quantity: 5 },
      { source: 'in_store', kind: 'stock_set', item: '1', location: '1', quantity: 2 },
      { source: 'in_store', kind: 'stock_set', item: '2', location: '2', quantity: 0 },
    ],
  );
  assert.equal(sim.quota().used, 3, 'admin calls are not charged; the 3 API calls are');

  await admin(sim, 'POST', '/reset', {});
  assert.deepEqual((await call(sim, 'GET', '/api/webhooks')).body, [], 'reset empties the webhook registry');
  assert.deepEqual((await call(sim, 'GET', '/api/stock_available/product_id/1')).body.map((r: { stock_available: number }) => r.stock_available), [10, 4]);
});

test('synchronous webhooks (webhook_async=0) are answered before the close call returns; async ones are not awaited', async (t) => {
  const sim = await startSim({ seed: flatSeed(1) });
  const receiver = await startReceiver();
  t.after(async () => {
    await sim.close();
    await receiver.close();
  });
  await call(sim, 'POST', '/api/webhooks', { json: { webhook_url: `${receiver.url}/sync`, webhook_action: 'sale', webhook_app_id_int: 'P' } });
  const saleId = (await call(sim, 'POST', '/api/sales/', { json: { store_id: 1 } })).body.sale_id as number;
  await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 1, quantity: 1 } });
  assert.equal((await call(sim, 'POST', '/api/sales/close/', { json: { sale_id: saleId } })).status, 200);
  assert.equal(receiver.seen.length, 1, 'delivered before the close answer arrived');
  assert.deepEqual(sim.kit.webhooks.log().map((a) => a.status), [200]);
});

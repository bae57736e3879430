import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm } from './notify.ts';
import { admin, call, flatSeed, startSim } from '../../../test/support/hiboutik-simulator.ts';
import type { HiboutikSimulator } from './index.ts';

const stockOf = async (sim: HiboutikSimulator, product: number, warehouse: number) => {
  const rows = (await call(sim, 'GET', `/api/stock_available/product_id/${product}`)).body as Array<{ warehouse_id: number; stock_available: number }>;
  return rows.find((r) => r.warehouse_id === warehouse)?.stock_available;
};

test('sale flow with stockDecrementAt=add_product (default): create, ext_ref, add_product, close', async (t) => {
  const sim = await startSim({ seed: flatSeed(3) });
  t.after(() => sim.close());
  assert.equal(sim.switches.stockDecrementAt, 'add_product');

  const created = await call(sim, 'POST', '/api/sales/', { json: { store_id: 1, customer_id: 0, currency_code: 'EUR', vendor_id: 1 } });
  assert.equal(created.status, 201);
  const saleId = created.body.sale_id as number;
  assert.equal(typeof saleId, 'number');

  const put = await call(sim, 'PUT', `/api/sale/${saleId}`, { json: { sale_attribute: 'ext_ref', new_value: 'possync-42' } });
  assert.equal(put.status, 200);

  const added = await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 2, size_id: 0, quantity: 3, product_price: '11.00', stock_withdrawal: 1 } });
  assert.equal(added.status, 201);
  assert.equal(typeof added.body.id_sale_product_detail, 'number');
  assert.equal(await stockOf(sim, 2, 1), 7, 'taken at add_product');
  assert.equal(await stockOf(sim, 2, 2), 4, 'other warehouse untouched');

  // stock_withdrawal=0 lines never move stock.
  await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 1, quantity: 1, stock_withdrawal: 0 } });
  assert.equal(await stockOf(sim, 1, 1), 10);

  const closed = await call(sim, 'POST', '/api/sales/close/', { json: { sale_id: saleId } });
  assert.equal(closed.status, 200);
  assert.equal(await stockOf(sim, 2, 1), 7, 'close does not take it twice');

  const read = await call(sim, 'GET', `/api/sales/${saleId}`);
  assert.equal(read.body.length, 1);
  const sale = read.body[0];
  assert.equal(sale.sale_ext_ref, 'possync-42');
  assert.equal(sale.store_id, 1);
  assert.equal(sale.warehouse_id, 1);
  assert.equal(sale.total, '45.50');
  assert.equal(sale.completed_at, '2026-11-02 09:00:00');
  assert.deepEqual(
    sale.line_items.map((l: Record<string, unknown>) => [l.product_id, l.product_size, l.quantity, l.product_price, l.stock_withdrawal, l.product_barcode]),
    [
      [2, 0, 3, '11.00', 1, 'BC000002'],
      [1, 0, 1, '12.50', 0, 'BC000001'],
    ],
  );

  assert.deepEqual(
    sim.kit.ledger.list().map(({ seq, at, ...rest }) => rest),
    [{ source: 'api', kind: 'sale', item: '2', location: '1', quantity: -3, reference: 'possync-42', posId: String(saleId), endpoint: 'POST /api/sales/add_product/' }],
  );
  const again = await call(sim, 'POST', '/api/sales/close/', { json: { sale_id: saleId } });
  assert.equal(again.status, 422);
  assert.equal(again.body.error_description, `Sale ${saleId} is already closed`);
  const late = await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 1, quantity: 1 } });
  assert.equal(late.status, 422, 'no lines on a closed sale');
  assert.equal(sim.kit.ledger.list().length, 1);
});

test('sale flow with stockDecrementAt=close, form-encoded like the PHP client; ext_ref set after add', async (t) => {
  const sim = await startSim({ seed: flatSeed(3), switches: { stockDecrementAt: 'close' } });
  t.after(() => sim.close());
  const created = await call(sim, 'POST', '/apirest/sales/', { form: 'store_id=2&customer_id=0&currency_code=EUR&vendor_id=1&duty_free_sale=0&prices_without_taxes=0' });
  assert.equal(created.status, 201);
  const saleId = created.body.sale_id as number;
  const added = await call(sim, 'POST', '/apirest/sales/add_product/', { form: `sale_id=${saleId}&product_id=3&size_id=0&quantity=2&product_price=9.5&stock_withdrawal=1&product_comments=web%20order` });
  assert.equal(added.status, 201);
  assert.equal(await stockOf(sim, 3, 2), 4, 'nothing moves before close');
  assert.equal(sim.kit.ledger.list().length, 0);

  await call(sim, 'PUT', `/apirest/sale/${saleId}`, { form: 'sale_attribute=ext_ref&new_value=order-7' });
  assert.equal((await call(sim, 'POST', '/apirest/sales/close', { form: `sale_id=${saleId}` })).status, 200);
  assert.equal(await stockOf(sim, 3, 2), 2);
  assert.deepEqual(
    sim.kit.ledger.list().map(({ seq, at, ...rest }) => rest),
    [{ source: 'api', kind: 'sale', item: '3', location: '2', quantity: -2, reference: 'order-7', posId: String(saleId), endpoint: 'POST /api/sales/close/' }],
  );
  const line = (await call(sim, 'GET', `/apirest/sales/${saleId}/`)).body[0].line_items[0];
  assert.equal(line.product_price, '9.50');
  assert.equal(line.product_comments, 'web order');
});

test('ext_ref search is a case-insensitive substring match; the ledger keeps posId when ext_ref comes late', async (t) => {
  const sim = await startSim({ seed: flatSeed(2) });
  t.after(() => sim.close());
  const ids: number[] = [];
  for (const ref of ['order-1', 'order-10', 'ORDER-100']) {
    const id = (await call(sim, 'POST', '/api/sales/', { json: { store_id: 1 } })).body.sale_id as number;
    await call(sim, 'PUT', `/api/sale/${id}`, { json: { sale_attribute: 'ext_ref', new_value: ref } });
    ids.push(id);
  }
  const search = async (ref: string) => ((await call(sim, 'GET', `/api/sales/search/ext_ref/${encodeURIComponent(ref)}`)).body as Array<{ sale_id: number; sale_ext_ref: string }>).map((s) => s.sale_ext_ref);
  assert.deepEqual(await search('order-1'), ['order-1', 'order-10', 'ORDER-100'], 'partial: compare ext_ref exactly on the client side');
  assert.deepEqual(await search('order-100'), ['ORDER-100']);
  assert.deepEqual(await search('missing'), []);

  // A line added before ext_ref is set: the ledger entry has no reference but always the sale id.
  const late = (await call(sim, 'POST', '/api/sales/', { json: { store_id: 1 } })).body.sale_id as number;
  await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: late, product_id: 1, quantity: 1, stock_withdrawal: 1 } });
  const [entry] = sim.kit.ledger.list();
  assert.equal(entry?.reference, undefined);
  assert.equal(entry?.posId, String(late));
});

test('semantic errors: unknown product or store, bad size, out of stock → 422 with details; nothing written', async (t) => {
  const sim = await startSim({ seed: flatSeed(2) });
  t.after(() => sim.close());
  const store = await call(sim, 'POST', '/api/sales/', { json: { store_id: 9 } });
  assert.equal(store.status, 422);
  assert.deepEqual(store.body, { error: 'unprocessable_entity', code: 422, error_description: 'Unknown store 9', details: { store_id: 'Unknown store 9' } });
  const missing = await call(sim, 'POST', '/api/sales/', { json: { customer_id: 0 } });
  assert.equal(missing.status, 422);
  assert.deepEqual(missing.body.details, { store_id: 'This field is required' });

  const saleId = (await call(sim, 'POST', '/api/sales/', { json: { store_id: 2 } })).body.sale_id as number;
  const unknown = await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 77, quantity: 1, stock_withdrawal: 1 } });
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.body.details, { product_id: 'Unknown product 77' });
  assert.equal((await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 1, size_id: 3, quantity: 1 } })).status, 422);
  assert.equal((await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: 999, product_id: 1, quantity: 1 } })).status, 404);
  assert.equal((await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 'abc', quantity: 1 } })).status, 422);

  // Warehouse 2 holds 4: asking 5 with stock_withdrawal=1 is refused; the plugin's fallback (withdrawal 0) works.
  const short = await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 1, quantity: 5, stock_withdrawal: 1 } });
  assert.equal(short.status, 422);
  assert.match(short.body.error_description, /not available/);
  assert.equal((await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 1, quantity: 5, stock_withdrawal: 0 } })).status, 201);
  // product_id 0 is a free-text line.
  assert.equal((await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 0, quantity: 1, product_price: 3, product_comments: 'gift wrap' } })).status, 201);
  const bad = await call(sim, 'PUT', `/api/sale/${saleId}`, { json: { sale_attribute: 'colour', new_value: 'red' } });
  assert.equal(bad.status, 422);
  const broken = await fetch(`${sim.url}/api/sales/`, { method: 'POST', headers: { authorization: (await import('../../../test/support/hiboutik-simulator.ts')).basicAuth(sim), 'content-type': 'application/json' }, body: '{oops' });
  assert.equal(broken.status, 400);
  assert.equal(((await broken.json()) as { error: string }).error, 'bad_request');
  assert.equal(sim.kit.ledger.list().length, 0);

  const allow = await startSim({ seed: flatSeed(1), switches: { outOfStock: 'allow' } });
  t.after(() => allow.close());
  const id = (await call(allow, 'POST', '/api/sales/', { json: { store_id: 2 } })).body.sale_id as number;
  assert.equal((await call(allow, 'POST', '/api/sales/add_product/', { json: { sale_id: id, product_id: 1, quantity: 6 } })).status, 201);
  assert.equal(await stockOf(allow, 1, 2), -2, 'stock may go negative when allowed');
});

test('timeout_after_commit on sale creation: the sale exists, and ext_ref search finds it after PUT', async (t) => {
  const sim = await startSim({ seed: flatSeed(1) });
  t.after(() => sim.close());
  sim.kit.faults.add({ endpoint: 'POST /api/sales/', kind: 'timeout_after_commit', holdMs: 10, count: 1 });
  await assert.rejects(call(sim, 'POST', '/api/sales/', { json: { store_id: 1 } }));
  // The client lost the answer; the sale was committed. It is an open sale of store 1.
  const open = (await call(sim, 'GET', '/api/open_sales/1')).body as Array<{ sale_id: number }>;
  assert.equal(open.length, 1);
  const saleId = open[0]!.sale_id;
  await call(sim, 'PUT', `/api/sale/${saleId}`, { json: { sale_attribute: 'ext_ref', new_value: 'ledger-abc' } });
  const found = (await call(sim, 'GET', '/api/sales/search/ext_ref/ledger-abc')).body;
  assert.deepEqual(found.map((s: { sale_id: number }) => s.sale_id), [saleId]);
  const stats = sim.kit.stats.snapshot();
  assert.deepEqual(stats.endpoints['POST /api/sales/'], { requests: 1, statuses: { '201': 1 } });
  assert.deepEqual(stats.faultsInjected, { timeout_after_commit: 1 });

  // An injected 5xx before the handler writes nothing (and is not charged to the quota).
  const used = sim.quota().used;
  sim.kit.faults.add({ endpoint: 'POST /api/sales/add_product/', kind: 'error', status: 503, count: 1 });
  const failed = await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: saleId, product_id: 1, quantity: 1 } });
  assert.equal(failed.status, 503);
  assert.deepEqual(Object.keys(failed.body).sort(), ['code', 'details', 'error', 'error_description']);
  assert.equal(sim.quota().used, used);
  assert.equal(sim.kit.ledger.list().length, 0);
  assert.equal((await call(sim, 'GET', `/api/sales/${saleId}`)).body[0].line_items.length, 0);
});

test('closed sales by day; reset restores stock, sales and ids', async (t) => {
  const sim = await startSim({ seed: flatSeed(1) });
  t.after(() => sim.close());
  const id = (await call(sim, 'POST', '/api/sales/', { json: { store_id: 1 } })).body.sale_id as number;
  await call(sim, 'POST', '/api/sales/add_product/', { json: { sale_id: id, product_id: 1, quantity: 2 } });
  await call(sim, 'POST', '/api/sales/close/', { json: { sale_id: id } });
  assert.deepEqual((await call(sim, 'GET', '/api/closed_sales/1/2026/11/02')).body.map((s: { sale_id: number }) => s.sale_id), [id]);
  assert.deepEqual((await call(sim, 'GET', '/api/closed_sales/1/2026/11/03')).body, []);
  assert.equal((await admin(sim, 'POST', '/reset', {})).status, 200);
  assert.equal(await stockOf(sim, 1, 1), 10);
  assert.equal((await call(sim, 'GET', `/api/sales/${id}`)).status, 404);
  assert.equal((await call(sim, 'POST', '/api/sales/', { json: { store_id: 1 } })).body.sale_id, id, 'ids start again from the seeded state');
  assert.equal(sim.quota().used, 3, 'reset cleared the counter: only the 3 calls since count');
});

test('form bodies: PHP bracket arrays parse into nested values', () => {
  assert.deepEqual(parseForm('sale_id=5&line_items%5B0%5D%5Bproduct_id%5D=3&line_items[1][product_id]=4&tags[]=a&tags[]=b'), {
    sale_id: '5',
    line_items: [{ product_id: '3' }, { product_id: '4' }],
    tags: ['a', 'b'],
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { call, flatSeed, startSim } from '../../../test/support/hiboutik-simulator.ts';

test('auth: Basic and Bearer pass; bad or missing credentials get 401 in Hiboutik error shape', async (t) => {
  const sim = await startSim({ seed: flatSeed(3) });
  t.after(() => sim.close());
  const { email, apiKey, bearerToken } = sim.credentials();

  assert.equal((await call(sim, 'GET', '/api/products/')).status, 200);
  assert.equal((await call(sim, 'GET', '/api/products/', { auth: `Bearer ${bearerToken}` })).status, 200);
  const upper = `Basic ${Buffer.from(`${email.toUpperCase()}:${apiKey}`).toString('base64')}`;
  assert.equal((await call(sim, 'GET', '/api/products/', { auth: upper })).status, 200, 'e-mail compared case-insensitively');

  const wrongKey = await call(sim, 'GET', '/api/products/', { auth: `Basic ${Buffer.from(`${email}:nope`).toString('base64')}` });
  assert.equal(wrongKey.status, 401);
  assert.deepEqual(Object.keys(wrongKey.body).sort(), ['code', 'details', 'error', 'error_description']);
  assert.equal(wrongKey.body.error, 'unauthorized');
  assert.equal(wrongKey.body.code, 401);
  assert.equal((await call(sim, 'GET', '/api/products/', { auth: null })).status, 401);
  assert.equal((await call(sim, 'GET', '/api/products/', { auth: 'Bearer wrong' })).status, 401);
  assert.equal(sim.quota().used, 3, 'refused calls do not count against the quota');
});

test('rights switch: read-only users get 403 on writes; users without rights get 403 everywhere', async (t) => {
  const readOnly = await startSim({ seed: flatSeed(1), switches: { rights: 'read' } });
  t.after(() => readOnly.close());
  assert.equal((await call(readOnly, 'GET', '/api/warehouses')).status, 200);
  const denied = await call(readOnly, 'POST', '/api/webhooks', { json: { webhook_url: 'http://x.test/', webhook_action: 'sale' } });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error, 'forbidden');

  const none = await startSim({ seed: flatSeed(1), switches: { rights: 'none' } });
  t.after(() => none.close());
  assert.equal((await call(none, 'GET', '/api/warehouses')).status, 403);
  await assert.rejects(startSim({ switches: { rights: 'some' } }), /switch rights must be one of all, read, none/);
  await assert.rejects(startSim({ switches: { stockDecrement: 'close' } }), /unknown switch for the hiboutik simulator: stockDecrement/);
});

test('/apirest/ alias and both slash forms reach one route, counted under one endpoint name', async (t) => {
  const sim = await startSim({ seed: flatSeed(2) });
  t.after(() => sim.close());
  for (const path of ['/api/products/', '/api/products', '/apirest/products/', '/apirest/products']) {
    const answer = await call(sim, 'GET', path);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.body.length, 2);
  }
  for (const path of ['/api/products/1', '/apirest/products/1/']) assert.equal((await call(sim, 'GET', path)).body[0].product_id, 1);
  const stats = sim.kit.stats.snapshot();
  assert.deepEqual(stats.endpoints['GET /api/products/'], { requests: 4, statuses: { '200': 4 } });
  assert.deepEqual(stats.endpoints['GET /api/products/:product_id'], { requests: 2, statuses: { '200': 2 } });
  assert.equal(stats.totalRequests, 6);
});

test('products page at 250 with exact Content-Range and Link; past the end is an empty array', async (t) => {
  const sim = await startSim({ seed: flatSeed(600) });
  t.after(() => sim.close());
  const base = `${sim.url}/api/products/`;

  const first = await call(sim, 'GET', '/api/products/');
  assert.equal(first.body.length, 250);
  assert.equal(first.body[0].product_id, 1);
  assert.equal(first.headers.get('content-range'), '0-249/600');
  // As documented: start / prev / current / last, no rel="next".
  assert.equal(first.headers.get('link'), `<${base}?p=1>; rel="start", <${base}?p=1>; rel="current", <${base}?p=3>; rel="last"`);

  const second = await call(sim, 'GET', '/api/products/?p=2');
  assert.equal(second.body[0].product_id, 251);
  assert.equal(second.headers.get('content-range'), '250-499/600');
  assert.equal(second.headers.get('link'), `<${base}?p=1>; rel="start", <${base}?p=1>; rel="prev", <${base}?p=2>; rel="current", <${base}?p=3>; rel="last"`);

  const third = await call(sim, 'GET', '/api/products/?p=3');
  assert.equal(third.body.length, 100);
  assert.equal(third.body[99].product_id, 600);
  assert.equal(third.headers.get('content-range'), '500-599/600');
  assert.equal(third.headers.get('link'), `<${base}?p=1>; rel="start", <${base}?p=2>; rel="prev", <${base}?p=3>; rel="current", <${base}?p=3>; rel="last"`);

  const past = await call(sim, 'GET', '/api/products/?p=4');
  assert.equal(past.status, 200);
  assert.deepEqual(past.body, []);
  assert.equal(past.headers.get('content-range'), '*/600');
  assert.doesNotMatch(past.headers.get('link') ?? '', /rel="next"/);

  // A client that pages by Content-Range's total ends with every product exactly once.
  const ids: number[] = [];
  for (let p = 1, total = Infinity; ids.length < total; p++) {
    const answer = await call(sim, 'GET', `/api/products/?p=${p}`);
    ids.push(...answer.body.map((row: { product_id: number }) => row.product_id));
    total = Number(/\/(\d+)$/.exec(answer.headers.get('content-range') ?? '')![1]);
  }
  assert.deepEqual(ids, Array.from({ length: 600 }, (_, i) => i + 1));

  // Header names go out cased as the real server sends them (the official PHP client matches them exactly).
  const raw = await new Promise<string[]>((resolve, reject) => {
    const c = sim.credentials();
    get(`${base}?p=2`, { auth: `${c.email}:${c.apiKey}` }, (res) => {
      res.resume();
      resolve(res.rawHeaders.filter((_, i) => i % 2 === 0));
    }).on('error', reject);
  });
  assert.ok(raw.includes('Link') && raw.includes('Content-Range'), raw.join(', '));
});

test('product fields, products/{id} as a one-element array with stock, barcode and name search', async (t) => {
  const sim = await startSim({ seed: flatSeed(3) });
  t.after(() => sim.close());
  const one = await call(sim, 'GET', '/api/products/2');
  assert.equal(one.body.length, 1);
  const product = one.body[0];
  for (const field of ['product_id', 'product_model', 'product_barcode', 'product_price', 'product_stock_management', 'product_arch', 'product_size_details', 'product_vat', 'products_ref_ext']) {
    assert.ok(field in product, field);
  }
  assert.equal(product.product_price, '12.50');
  assert.equal(product.product_barcode, 'BC000002');
  assert.equal(product.product_stock_management, 1);
  assert.deepEqual(product.product_size_details, []);
  assert.deepEqual(product.stock_available, [
    { product_id: 2, product_size: 0, warehouse_id: 1, stock_available: 10, inventory_alert: 0, product_barcode: 'BC000002', product_supplier_reference: '' },
    { product_id: 2, product_size: 0, warehouse_id: 2, stock_available: 4, inventory_alert: 0, product_barcode: 'BC000002', product_supplier_reference: '' },
  ]);

  const missing = await call(sim, 'GET', '/api/products/99');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body, { error: 'not_found', code: 404, error_description: 'Product not found', details: { product_id: 'Unknown product 99' } });

  const byBarcode = await call(sim, 'GET', '/api/products/search/barcode/BC000003/');
  assert.deepEqual(byBarcode.body.map((p: { product_id: number; product_size: number }) => [p.product_id, p.product_size]), [[3, 0]]);
  assert.deepEqual((await call(sim, 'GET', '/api/products/search/barcode/NOPE')).body, []);
  const byName = await call(sim, 'GET', `/api/products/search/name/${encodeURIComponent('product 1')}`);
  assert.deepEqual(byName.body.map((p: { product_id: number }) => p.product_id), [1]);
});

test('warehouse stock comes in one call by default; stockPaging=250 pages it with Link', async (t) => {
  const sim = await startSim({ seed: flatSeed(600) });
  t.after(() => sim.close());
  const whole = await call(sim, 'GET', '/api/stock_available/warehouse_id/2');
  assert.equal(whole.body.length, 600);
  assert.equal(whole.headers.get('link'), null);
  assert.deepEqual(whole.body[0], { product_id: 1, product_size: 0, warehouse_id: 2, stock_available: 4, inventory_alert: 0, product_barcode: 'BC000001', product_supplier_reference: '' });
  assert.equal((await call(sim, 'GET', '/api/stock_available/all_wh/')).body.length, 1200);
  assert.equal((await call(sim, 'GET', '/api/stock_available/warehouse_id/9')).status, 404);
  assert.deepEqual((await call(sim, 'GET', '/api/stock_available/product_id/5')).body.map((r: { warehouse_id: number }) => r.warehouse_id), [1, 2]);
  const sized = await call(sim, 'GET', '/api/stock_available/product_id_size/5/0/');
  assert.deepEqual(sized.body.map((r: { stock_available: number }) => r.stock_available), [10, 4]);
  assert.deepEqual((await call(sim, 'GET', '/api/warehouses')).body, [{ warehouse_id: 1, warehouse_name: 'Shop' }, { warehouse_id: 2, warehouse_name: 'Depot' }]);
  assert.deepEqual((await call(sim, 'GET', '/api/stores/')).body, [{ store_id: 1, store_name: 'Shop', warehouse_id: 1 }, { store_id: 2, store_name: 'Depot', warehouse_id: 2 }]);

  const paged = await startSim({ seed: flatSeed(600), switches: { stockPaging: '250' } });
  t.after(() => paged.close());
  const page1 = await call(paged, 'GET', '/api/stock_available/warehouse_id/1');
  assert.equal(page1.body.length, 250);
  assert.equal(page1.headers.get('content-range'), '0-249/600');
  assert.match(page1.headers.get('link') ?? '', /\/api\/stock_available\/warehouse_id\/1\?p=3>; rel="last"/);
  assert.equal((await call(paged, 'GET', '/api/stock_available/warehouse_id/1?p=3')).body.length, 100);
});

test('generated seed: numeric product ids, warehouses = stores, seed sku as barcode, credentials', async (t) => {
  const sim = await startSim({ items: 4, locations: 3 });
  t.after(() => sim.close());
  const credentials = sim.credentials();
  assert.deepEqual(credentials.storeIds, ['1', '2', '3']);
  assert.deepEqual(credentials.warehouseIds, ['1', '2', '3']);
  assert.equal(typeof credentials.account, 'string');
  const products = (await call(sim, 'GET', '/api/products/')).body;
  assert.deepEqual(products.map((p: { product_id: number }) => p.product_id), [1, 2, 3, 4]);
  assert.equal(products[0].product_barcode, 'SKU-00001');
  const fromAdmin = await (await fetch(`${sim.url}/__sim/credentials`)).json();
  assert.deepEqual(fromAdmin, credentials);

  const custom = await startSim({ seed: { ...flatSeed(1), credentials: { email: 'me@shop.test', apiKey: 'K1', bearerToken: 'T1' } } });
  t.after(() => custom.close());
  assert.equal((await call(custom, 'GET', '/api/products/', { auth: `Basic ${Buffer.from('me@shop.test:K1').toString('base64')}` })).status, 200);
  assert.equal((await call(custom, 'GET', '/api/products/', { auth: 'Bearer T1' })).status, 200);
  await assert.rejects(startSim({ seed: { locations: [{ id: 'L1', name: 'x' }], items: [] } }), /positive integers/);
});

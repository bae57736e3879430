import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, postJson } from '../../../test/support/lightspeed-simulator.ts';

type J = any;

const rel = encodeURIComponent('["ItemShops"]');

function sale(extra: Record<string, unknown> = {}) {
  return {
    employeeID: 1,
    registerID: 1,
    shopID: 1,
    completed: true,
    referenceNumber: 'order-42',
    referenceNumberSource: 'possync',
    SaleLines: { SaleLine: { itemID: 1, unitQuantity: 2 } },
    SalePayments: { SalePayment: { amount: 25, paymentTypeID: 3 } },
    ...extra,
  };
}

async function stock(h: Awaited<ReturnType<typeof harness>>, itemID: string): Promise<Record<string, string>> {
  const item: J = (await h.json<J>(`Item/${itemID}.json?load_relations=${rel}`)).Item;
  return Object.fromEntries([item.ItemShops.ItemShop].flat().map((r: J) => [r.shopID, r.qoh]));
}

test('a balanced completed sale answers 200 with the wrapped Sale and moves stock in the shop and the total', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  h.clock.advance(5_000);
  const response = await h.api('Sale.json', { body: sale() });
  assert.equal(response.status, 200);
  const body: J = await response.json();
  assert.deepEqual(body['@attributes'], { count: '1' });
  const s = body.Sale;
  assert.equal(s.saleID, '1');
  assert.equal(s.completed, 'true');
  assert.equal(s.calcTotal, '25.00');
  assert.equal(s.total, '25.00');
  assert.equal(s.balance, '0.00');
  assert.equal(s.referenceNumber, 'order-42');
  assert.equal(s.referenceNumberSource, 'possync');
  assert.equal(s.SaleLines.SaleLine.unitPrice, '12.50', 'unitPrice defaults to the item price');
  assert.equal(s.SaleLines.SaleLine.unitQuantity, '2');
  assert.equal(s.SalePayments.SalePayment.amount, '25.00');
  assert.equal(response.headers.get('x-ls-api-request-cost'), '6', '2 + 3 completed + 0.5 × 2 nested');

  assert.deepEqual(await stock(h, '1'), { '0': '12', '1': '8', '2': '4' });
  const row: J = (await h.json<J>('ItemShop.json?itemID=1&shopID=1')).ItemShop;
  assert.equal(row.timeStamp, new Date(h.clock.now()).toISOString().replace('.000Z', '+00:00'));
  assert.deepEqual(
    h.sim.kit.ledger.list().map((e) => ({ source: e.source, kind: e.kind, item: e.item, location: e.location, quantity: e.quantity, reference: e.reference, posId: e.posId })),
    [{ source: 'api', kind: 'sale', item: '1', location: '1', quantity: -2, reference: 'order-42', posId: '1' }],
  );

  const found: J = await h.json(`Sale.json?referenceNumber=order-42`);
  assert.equal(found.Sale.saleID, '1', 'referenceNumber search finds the one sale (an object)');
  const withLines: J = await h.json(`Sale/1.json?load_relations=${encodeURIComponent('["SaleLines","SalePayments"]')}`);
  assert.equal(withLines.Sale.SaleLines.SaleLine.itemID, '1');
  assert.equal((await h.json<J>('Sale/1.json')).Sale.SaleLines, undefined);
  assert.deepEqual(await h.json('Sale.json?referenceNumber=order-43'), { '@attributes': { next: '', previous: '' } });
});

test('an unbalanced completed sale is rejected with the error body and moves nothing', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const response = await h.api('Sale.json', { body: sale({ SalePayments: { SalePayment: { amount: 20, paymentTypeID: 3 } } }) });
  assert.equal(response.status, 400);
  const body: J = await response.json();
  assert.deepEqual(Object.keys(body), ['httpCode', 'httpMessage', 'message', 'errorClass']);
  assert.equal(body.httpCode, '400');
  assert.equal(body.httpMessage, 'Bad Request');
  assert.match(body.message, /25\.00/);
  assert.deepEqual(await stock(h, '1'), { '0': '14', '1': '10', '2': '4' });
  assert.deepEqual(await h.json('Sale.json?count=1'), { '@attributes': { count: '0' } });
  assert.equal(h.sim.kit.ledger.list().length, 0);
});

test('sale validation: employee, register (of that shop), shop, items and payment types', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const cases: Array<[string, Record<string, unknown>]> = [
    ['employeeID', { employeeID: 99 }],
    ['registerID', { registerID: 99 }],
    ['shopID', { shopID: 99 }],
    ['registerID 1 of shop 1 used in shop 2', { shopID: 2 }],
    ['itemID', { SaleLines: { SaleLine: { itemID: 99, unitQuantity: 1 } } }],
    ['paymentTypeID', { SalePayments: { SalePayment: { amount: 25, paymentTypeID: 99 } } }],
    ['missing employeeID', { employeeID: undefined }],
  ];
  for (const [name, override] of cases) {
    const response = await h.api('Sale.json', { body: sale(override) });
    assert.equal(response.status, 400, name);
    assert.equal(((await response.json()) as J).httpCode, '400', name);
  }
  assert.equal(h.sim.kit.ledger.list().length, 0);
});

test('lines and payments as arrays; a missing ItemShop row is created; numbers may be strings', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const body = sale({
    shopID: '2',
    registerID: '2',
    SaleLines: { SaleLine: [{ itemID: '2', unitQuantity: '1' }, { itemID: 1, unitQuantity: 1, unitPrice: '10' }] },
    SalePayments: { SalePayment: [{ amount: '10', paymentTypeID: 1 }, { amount: 8, paymentTypeID: '3' }] },
  });
  const s: J = (await h.json<J>('Sale.json', { body })).Sale;
  assert.equal(s.SaleLines.SaleLine.length, 2);
  assert.equal(s.SalePayments.SalePayment.length, 2);
  assert.equal(s.total, '18.00');
  assert.deepEqual(await stock(h, '2'), { '0': '2', '1': '3', '2': '-1' }, 'shop 2 never counted item 2: its row appears at -1');
  assert.deepEqual(await stock(h, '1'), { '0': '13', '1': '10', '2': '3' });
  assert.equal(h.sim.kit.ledger.list({ kind: 'sale' }).length, 2, 'one ledger entry per line');
});

test('an open sale moves nothing until a PUT completes it', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const open: J = (await h.json<J>('Sale.json', { body: sale({ completed: false, SalePayments: undefined }) })).Sale;
  assert.equal(open.completed, 'false');
  assert.equal(open.balance, '25.00');
  assert.deepEqual(await stock(h, '1'), { '0': '14', '1': '10', '2': '4' });
  const short = await h.api(`Sale/${open.saleID}.json`, { method: 'PUT', body: { completed: true } });
  assert.equal(short.status, 400, 'completing without payment is refused');
  const done: J = (await h.json<J>(`Sale/${open.saleID}.json`, { method: 'PUT', body: { completed: true, SalePayments: { SalePayment: { amount: 25, paymentTypeID: 3 } } } })).Sale;
  assert.equal(done.completed, 'true');
  assert.equal(done.balance, '0.00');
  assert.deepEqual(await stock(h, '1'), { '0': '12', '1': '8', '2': '4' });
});

test('taxRatePercent adds tax to the total the payments must match', async (t) => {
  const h = await harness({ switches: { taxRatePercent: '10' } });
  t.after(() => h.sim.close());
  assert.equal((await h.api('Sale.json', { body: sale() })).status, 400, '25.00 no longer balances 27.50');
  const s: J = (await h.json<J>('Sale.json', { body: sale({ SalePayments: { SalePayment: { amount: 27.5, paymentTypeID: 3 } } }) })).Sale;
  assert.equal(s.calcTax1, '2.50');
  assert.equal(s.total, '27.50');
});

test('PUT Item sets QoH by shopID or itemShopID; the total follows; Item.timeStamp does not', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const before: J = (await h.json<J>('Item/1.json')).Item;
  h.clock.advance(3_000);
  const put = await h.api('Item/1.json', { method: 'PUT', body: { ItemShops: { ItemShop: { shopID: 2, qoh: 9 } } } });
  assert.equal(put.status, 200);
  assert.equal(put.headers.get('x-ls-api-request-cost'), '1.5');
  const item: J = ((await put.json()) as J).Item;
  assert.equal(item.timeStamp, before.timeStamp);
  assert.deepEqual(await stock(h, '1'), { '0': '19', '1': '10', '2': '9' });
  const row: J = (await h.json<J>('ItemShop.json?itemID=1&shopID=1')).ItemShop;
  await h.json('Item/1.json', { method: 'PUT', body: { ItemShops: { ItemShop: [{ itemShopID: row.itemShopID, qoh: 1 }] } } });
  assert.deepEqual(await stock(h, '1'), { '0': '10', '1': '1', '2': '9' });
  assert.deepEqual(h.sim.kit.ledger.list().map((e) => [e.source, e.kind, e.location, e.quantity]), [['api', 'stock_set', '2', 9], ['api', 'stock_set', '1', 1]]);
  assert.equal((await h.api('Item/1.json', { method: 'PUT', body: { ItemShops: { ItemShop: { shopID: 0, qoh: 1 } } } })).status, 400);
  assert.equal((await h.api('Item/99.json', { method: 'PUT', body: { ItemShops: { ItemShop: { shopID: 1, qoh: 1 } } } })).status, 404);
});

test('kit faults: an injected 5xx stores nothing; timeout_after_commit stores the sale and the reference finds it', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const endpoint = `POST /API/V3/Account/:accountID/Sale.json`;
  await postJson(`${h.sim.url}/__sim/faults`, { endpoint, kind: 'error', status: 503, count: 1 });
  const failed = await h.api('Sale.json', { body: sale() });
  assert.equal(failed.status, 503);
  assert.deepEqual(await failed.json(), { httpCode: '503', httpMessage: 'Service Unavailable', message: 'Injected server error', errorClass: 'ServerErrorException' });
  assert.deepEqual(await h.json('Sale.json?count=1'), { '@attributes': { count: '0' } });

  await postJson(`${h.sim.url}/__sim/faults`, { endpoint, kind: 'timeout_after_commit', holdMs: 5, count: 1 });
  await assert.rejects(h.api('Sale.json', { body: sale({ referenceNumber: 'ledger-7' }) }));
  const found: J = await h.json('Sale.json?referenceNumber=ledger-7');
  assert.equal(found.Sale.completed, 'true');
  assert.equal(h.sim.kit.ledger.list({ reference: 'ledger-7' }).length, 1);
  assert.deepEqual(await stock(h, '1'), { '0': '12', '1': '8', '2': '4' });
});

test('in-store changes through /__sim/stock are ledgered as in_store; reset restores stock and sales', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  await postJson(`${h.sim.url}/__sim/stock`, { item: '1', location: '2', delta: -3 });
  await postJson(`${h.sim.url}/__sim/stock`, { item: '3', quantity: 7 });
  assert.deepEqual(h.sim.kit.ledger.list().map((e) => [e.source, e.kind, e.item, e.location, e.quantity]), [
    ['in_store', 'adjustment', '1', '2', -3],
    ['in_store', 'stock_set', '3', '1', 7],
  ]);
  assert.equal((await postJson(`${h.sim.url}/__sim/stock`, { item: '1', location: '0', delta: 1 })).status, 404, 'shop 0 is derived');
  const listed: J = await (await fetch(`${h.sim.url}/__sim/stock?item=1`)).json();
  assert.deepEqual(listed.stock[0].locations, { '1': 10, '2': 1 });
  await h.json('Sale.json', { body: sale() });
  await postJson(`${h.sim.url}/__sim/reset`, {});
  const token = (h.sim.credentials() as J).accessToken;
  h.token = token;
  assert.deepEqual(await stock(h, '1'), { '0': '14', '1': '10', '2': '4' });
  assert.deepEqual(await stock(h, '3'), { '0': '0' });
  assert.deepEqual(await h.json('Sale.json?count=1'), { '@attributes': { count: '0' } });
});

test('there is no idempotency: the same body posted twice makes two sales (look up referenceNumber first)', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  await h.json('Sale.json', { body: sale() });
  await h.json('Sale.json', { body: sale() });
  const found: J = await h.json('Sale.json?referenceNumber=order-42');
  assert.deepEqual(found.Sale.map((s: J) => s.saleID), ['1', '2']);
  assert.deepEqual(await stock(h, '1'), { '0': '10', '1': '6', '2': '4' });
});
